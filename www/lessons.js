// The Learn guide: lessons read from data/lessons.json (checked by the core,
// so a teacher's own file gets a message naming the bad lesson and field).
// Each lesson's title is a real link (it can be opened in a new tab or
// shared); a plain click applies it here without a reload.
import { lessons, stateDecode } from './pkg/flash_nas.js';
import { $, showError, showNotices } from './dom.js';
import { commit, fillControls } from './fields.js';

// The lesson being explored: its question, hint and answer pinned above the panels,
// and its entry in the list marked.
function pin(lesson) {
  for (const li of $('lessons').children) {
    const current = li.id === `lesson-${lesson?.id}`;
    li.classList.toggle('current', current);
    if (current) li.setAttribute('aria-current', 'step'); else li.removeAttribute('aria-current');
  }
  $('lesson-pin').hidden = !lesson;
  if (!lesson) return;
  $('lesson-pin-title').textContent = `Lesson: ${lesson.title}`;
  $('lesson-pin-question').textContent = lesson.question;
  $('lesson-pin-hint').textContent = lesson.hint || 'This lesson has no hint.';
  $('lesson-pin-answer').textContent = lesson.answer || 'This lesson has no answer.';
  $('lesson-pin-checks').replaceChildren(...(lesson.checks || []).map((c) => {
    const li = document.createElement('li');
    li.textContent = c.claim;
    return li;
  }));
  for (const d of $('lesson-pin').querySelectorAll('details')) d.open = false;
}

function item(lesson) {
  const li = document.createElement('li');
  li.id = `lesson-${lesson.id}`;
  const a = document.createElement('a');
  a.href = `?${lesson.link}`;
  a.textContent = lesson.title;
  a.addEventListener('click', (e) => {
    if (e.button !== 0 || e.ctrlKey || e.metaKey || e.shiftKey) return; // a new tab: the browser's own
    e.preventDefault();
    const { state, notices } = stateDecode(lesson.link);
    showNotices(notices, `The lesson "${lesson.title}" has values that could not be used:`);
    commit(state);
    fillControls(state);
    pin(lesson);
    // The list folds away so the pinned question sits right above the panels it asks about.
    $('learn').open = false;
    $('lesson-pin').scrollIntoView({ block: 'start' });
  });
  const text = document.createElement('p');
  text.textContent = lesson.text;
  const question = document.createElement('p');
  question.className = 'question';
  question.textContent = `Explore: ${lesson.question}`;
  li.append(a, text, question);
  return li;
}

export async function initLessons() {
  $('lesson-pin-close').addEventListener('click', () => pin(null));
  try {
    const response = await fetch('data/lessons.json');
    if (!response.ok) throw new Error(`cannot load data/lessons.json (HTTP ${response.status})`);
    $('lessons').replaceChildren(...lessons(await response.text()).map(item));
    showError(null, $('learn-error'), '');
  } catch (e) {
    showError(null, $('learn-error'), `The lessons could not be shown: ${e.message || e}`);
  }
}
