// Small DOM helpers every panel uses. Text only ever reaches the DOM as
// textContent or attribute values.
export const $ = (id) => document.getElementById(id);
export const fmt = new Intl.NumberFormat('en-US');

/** Marks `input` invalid (or valid) and shows `message` in `box` (hidden when empty). */
export function showError(input, box, message) {
  if (input) input.setAttribute('aria-invalid', message ? 'true' : 'false');
  if (box) {
    box.hidden = !message;
    box.textContent = message || '';
  }
}

export function cellText(tag, text) {
  const td = document.createElement(tag);
  td.textContent = text;
  return td;
}

export function row(...texts) {
  const tr = document.createElement('tr');
  tr.append(...texts.map((t) => cellText('td', t)));
  return tr;
}

/** The notices box: what could not be used, each as "field = value: message". */
export function showNotices(notices, what) {
  const box = $('notices');
  if (!notices.length) {
    box.hidden = true;
    box.replaceChildren();
    return;
  }
  const p = document.createElement('p');
  p.textContent = what;
  const ul = document.createElement('ul');
  for (const n of notices) {
    const li = document.createElement('li');
    li.textContent = `${n.field}${n.value ? ` = "${n.value}"` : ''}: ${n.message}`;
    ul.append(li);
  }
  const close = document.createElement('button');
  close.type = 'button';
  close.textContent = 'Dismiss';
  close.addEventListener('click', () => { box.hidden = true; });
  box.replaceChildren(p, ul, close);
  box.hidden = false;
}

/** A fault stays on screen until the next edit (a result arriving does not hide it). */
export function showFault(text) {
  $('fault').textContent = text;
  $('fault').hidden = false;
}

/** Fills a select with `{value, label}` choices, keeping its value when still offered. */
export function fillSelect(select, choices) {
  const keep = select.value;
  select.replaceChildren(...choices.map((c) => new Option(c.label, c.value)));
  if (choices.some((c) => c.value === keep)) select.value = keep;
}

/** Gives a number input the range and start value of a core field (`{min, max, default}`). */
export function numberField(input, field) {
  input.min = String(field.min);
  input.max = String(field.max);
  input.step = '1';
  if (input.value === '') input.value = String(field.default);
}

export function debounce(fn, ms) {
  let t = null;
  return (...args) => { clearTimeout(t); t = setTimeout(() => fn(...args), ms); };
}
