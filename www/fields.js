// The page's controls ↔ the playground state. The controls are built from the
// core's schema (choices, labels, ranges, defaults); goal, space and SHGO text
// is built and read by the core; every edit is checked by the core as a link
// would be (stateEdit). A bad field is marked where it was typed and the last
// valid state keeps running. This file holds no grammar, default or range.
import {
  spaceSummary, stateEdit, stateEncode, goalForm, goalText, spaceText, shgoForm, shgoText,
} from './pkg/flash_nas.js';
import { app } from './page-state.js';
import { $, fmt, cellText, showError, showNotices, fillSelect, numberField, debounce } from './dom.js';
import { runSearch } from './search-client.js';

// Which field's box shows a notice about which state field.
const FIELD_BOX = { space: 'space-error', goal: 'goal-error', knobs: 'knobs-error', seed: 'seed-error', params: 'params-error', profile: 'params-error', own: 'own-error', samples: 'own-error', latency: 'latency-error', acc: 'bench-error', n: 'bench-error' };
const BOX_INPUT = { 'goal-error': 'goal', 'knobs-error': 'knobs', 'seed-error': 'seed', 'space-error': 'space', 'bench-error': 'bench-n' };

/** Fills every select and number field from the core's schema, and the goal's limit fields. */
export function buildControls(schema) {
  const selects = {
    objective: schema.objectives,
    'space-dataset': schema.datasets,
    'space-family': schema.families,
    'sample-set': schema.sample_sets,
    solver: schema.solvers,
    cost: schema.costs,
    'shgo-x': schema.coords,
    'shgo-y': schema.coords,
    'latency-source': schema.latency_devices,
    'bench-acc': schema.accuracy_columns,
  };
  for (const [id, choices] of Object.entries(selects)) fillSelect($(id), choices);
  numberField($('space-cells'), schema.cells);
  numberField($('bench-n'), schema.draws);
  numberField($('seed'), schema.seed);
  const numbers = Object.fromEntries(schema.numbers.map((n) => [n.key, n]));
  numberField($('measure-n'), numbers['measure-networks']);
  numberField($('against-k'), numbers['against-networks']);
  numberField($('train-k'), numbers['train-networks']);
  numberField($('train-seed'), numbers['train-seed']);
  $('limits').replaceChildren(...schema.limits.flatMap((l) => {
    const label = document.createElement('label');
    label.htmlFor = `lim-${l.key}`;
    label.append(`${l.label} `);
    if (l.unit) label.append(cellText('small', l.unit));
    const input = document.createElement('input');
    input.id = `lim-${l.key}`;
    input.type = 'number';
    input.step = 'any';
    input.min = String(l.min);
    input.max = String(l.max);
    input.placeholder = 'no limit';
    input.dataset.limit = l.key;
    return [label, input];
  }));
}

const limitInputs = () => [...$('limits').querySelectorAll('input[data-limit]')];

function goalFromFields() {
  const limits = Object.fromEntries(limitInputs().map((i) => [i.dataset.limit, i.value]));
  return goalText({ objective: $('objective').value, limits });
}

function fillGoalFields(goal) {
  const g = goalForm(goal);
  if ([...$('objective').options].some((o) => o.value === g.objective)) $('objective').value = g.objective;
  for (const input of limitInputs()) input.value = g.limits[input.dataset.limit] ?? '';
}

function showCount(s) {
  app.spaceSummary = s;
  $('count').textContent = fmt.format(BigInt(s.count));
  $('count').title = s.count_approx;
  $('count-detail').textContent = `${s.per_cell.join(' × ')} — a configuration is ${s.configuration}.`;
}

/** The space editor's form of a family (its coordinates, from the core's declaration). */
const familyForm = (name) => app.schema.family_forms.find((f) => f.family === name);

function fillSpaceFields(summary) {
  const f = summary.fields;
  if (document.activeElement !== $('space-dataset')) $('space-dataset').value = f.dataset;
  if (document.activeElement !== $('space-family')) $('space-family').value = f.family;
  if (document.activeElement !== $('space-cells')) $('space-cells').value = String(f.cells.length);
  const form = familyForm(f.family);
  // A family with a fixed number of cells (NAS-Bench-201's one) has no cells field to edit.
  $('space-cells').disabled = form.cells[0] === form.cells[1];
  $('latency-box').hidden = !summary.measured;
  $('bench-box').hidden = !summary.benchmark;
  const body = $('space-table').tBodies[0];
  const active = document.activeElement;
  if (active && body.contains(active) && body.dataset.family === f.family && body.rows.length === f.cells.length) return; // typing in the table
  body.dataset.family = f.family;
  const shown = form.coordinates.map((c, j) => [c, j]).filter(([c]) => !c.fixed);
  const grid = shown.some(([c]) => c.choices.length > 0);
  const head = $('space-table').tHead.rows[0];
  if (grid) {
    // Categories: one row per coordinate (per cell), a checkbox per category.
    head.replaceChildren(cellText('th', 'cell'), cellText('th', 'coordinate'), cellText('th', 'allowed values'));
    body.replaceChildren(...f.cells.flatMap((cell, i) => shown.map(([c, j]) => {
      const tr = document.createElement('tr');
      tr.append(cellText('td', String(i + 1)), cellText('td', c.label));
      const td = document.createElement('td');
      const on = new Set(cell[j].split(c.join));
      for (const name of c.choices) {
        const label = document.createElement('label');
        label.className = 'choice';
        const box = document.createElement('input');
        box.type = 'checkbox';
        box.checked = on.has(name);
        box.value = name;
        box.dataset.cell = String(i + 1);
        box.dataset.key = c.key;
        box.addEventListener('change', spaceFromTable);
        label.append(box, ` ${name} `);
        td.append(label);
      }
      tr.append(td);
      return tr;
    })));
    return;
  }
  head.replaceChildren(cellText('th', 'cell'), ...shown.map(([c]) => cellText('th', c.label)));
  body.replaceChildren(...f.cells.map((cell, i) => {
    const tr = document.createElement('tr');
    tr.append(cellText('td', String(i + 1)));
    for (const [c, j] of shown) {
      const td = document.createElement('td');
      const input = document.createElement('input');
      input.type = 'text';
      input.value = cell[j];
      input.dataset.cell = String(i + 1);
      input.dataset.key = c.key;
      input.setAttribute('aria-label', `cell ${i + 1} ${c.key}`);
      input.addEventListener('input', spaceFromTable);
      td.append(input);
      tr.append(td);
    }
    return tr;
  }));
}

// The structured editor's fields become the text form (the core writes it, with
// the family's defaults for what is left empty) and are checked like typed text.
function spaceFromTable() {
  const body = $('space-table').tBodies[0];
  const form = familyForm(body.dataset.family) ?? familyForm($('space-family').value);
  const cells = Math.max(1, ...[...body.querySelectorAll('[data-cell]')].map((i) => Number(i.dataset.cell)));
  const rows = [];
  for (let i = 1; i <= cells; i += 1) {
    rows.push(form.coordinates.map((c) => {
      const inputs = [...body.querySelectorAll(`[data-cell="${i}"][data-key="${CSS.escape(c.key)}"]`)];
      if (c.choices.length) return inputs.filter((b) => b.checked).map((b) => b.value).join(c.join);
      return inputs[0]?.value ?? '';
    }));
  }
  $('space').value = spaceText({
    dataset: $('space-dataset').value,
    family: $('space-family').value,
    cells: $('space-cells').value,
    rows,
    previous: app.spaceSummary?.space ?? '',
  });
  onSpaceText();
}

function onSpaceText() {
  const input = $('space');
  let s;
  try {
    s = spaceSummary(input.value);
  } catch (e) {
    showError(input, $('space-error'), String(e.message || e));
    return;
  }
  showError(input, $('space-error'), '');
  showCount(s);
  fillSpaceFields(s);
  edited({ space: s.space });
}

/** The second front's select: the state's choice, the profile on screen not offered. */
function showVs(state) {
  for (const o of $('vs').options) o.disabled = o.value !== '' && o.value === state.profile;
  $('vs').value = state.vs;
}

/** Every control shows `state`. */
export function fillControls(state) {
  $('profile').value = state.profile;
  try {
    const s = spaceSummary(state.space);
    $('space').value = s.space;
    showCount(s);
    fillSpaceFields(s);
  } catch { /* a checked state always has a valid space */ }
  $('sample-set').value = state.samples;
  $('latency-source').value = state.latency;
  $('against-box').hidden = !state.latency;
  $('bench-acc').value = state.acc;
  $('bench-n').value = String(state.n);
  $('goal').value = state.goal;
  fillGoalFields(state.goal);
  $('knobs').value = state.knobs;
  $('solver').value = state.solver;
  $('seed').value = String(state.seed);
  $('cost').value = state.cost;
  showVs(state);
  const shgo = shgoForm(state.shgo);
  app.shgoLevel = shgo.level;
  $('shgo-x').value = shgo.x;
  $('shgo-y').value = shgo.y;
  for (const p of app.schema.panels) {
    $(`panel-${p.value}`).hidden = state.hide.includes(p.value);
    const box = document.querySelector(`#hide-panels input[value="${p.value}"]`);
    if (box) box.checked = state.hide.includes(p.value);
  }
}

/**
 * An edit: `changes` maps state fields to what was typed; the core checks the
 * result as it checks a link. Returns whether the state changed to it.
 */
export function edited(changes) {
  const checked = stateEdit(app.state, changes);
  const bad = new Map();
  for (const n of checked.notices) {
    const box = FIELD_BOX[n.field];
    if (box) bad.set(box, `${n.field}: ${n.message}`);
  }
  for (const box of new Set(Object.values(FIELD_BOX))) {
    if (box === 'space-error' && !bad.has(box)) continue; // the space field checks itself as you type
    const input = BOX_INPUT[box] ? $(BOX_INPUT[box]) : null;
    if (bad.has(box) || Object.keys(changes).some((k) => FIELD_BOX[k] === box)) showError(input, $(box), bad.get(box) || '');
  }
  const unboxed = checked.notices.filter((n) => !FIELD_BOX[n.field]);
  if (unboxed.length) showNotices(unboxed, 'Some values could not be used:');
  if (checked.notices.length) return false;
  commit(checked.state);
  return true;
}

/** Makes `state` the page's state: the link, the panels and the search follow. */
export function commit(state) {
  $('fault').hidden = true;
  const before = app.state ? stateEncode(app.state) : null;
  app.state = state;
  const link = stateEncode(state);
  if (link === before) return;
  history.replaceState(null, '', `?${link}`);
  $('link').value = location.href;
  for (const p of app.schema.panels) $(`panel-${p.value}`).hidden = state.hide.includes(p.value);
  // Selects an edit elsewhere can change (calibration picks the device profile, training the own set).
  $('profile').value = state.profile;
  $('sample-set').value = state.samples;
  $('latency-source').value = state.latency;
  $('against-box').hidden = !state.latency;
  $('solver').value = state.solver;
  $('cost').value = state.cost;
  showVs(state);
  app.editedAt = performance.now();
  runSearch(link);
}

export const currentQuery = () => stateEncode(app.state);

/** The controls' events: each becomes an edit of its state field. */
export function wireFields() {
  // Long enough to merge the events of one keystroke or paste, short against the time between
  // keystrokes: a typed value searches at once (the worker keeps only the latest pending search).
  const soon = (fn) => debounce(fn, 10);
  $('profile').addEventListener('change', () => edited({ profile: $('profile').value, params: '', knobs: '' }));
  $('params-reset').addEventListener('click', () => edited({ params: '' }));
  $('space').addEventListener('input', soon(onSpaceText));
  for (const id of ['space-dataset', 'space-family', 'space-cells']) $(id).addEventListener('input', soon(spaceFromTable));
  $('sample-set').addEventListener('change', () => {
    const space = app.state.space;
    // The core moves the default space to a shipped set's own (State::edit).
    if (!edited({ samples: $('sample-set').value })) {
      $('sample-set').value = app.state.samples;
      $('own-error').closest('details').open = true;
    } else if (app.state.space !== space) {
      fillControls(app.state);
    }
  });
  const goalFromInputs = soon(() => { $('goal').value = goalFromFields(); edited({ goal: $('goal').value }); });
  $('objective').addEventListener('change', goalFromInputs);
  for (const input of limitInputs()) input.addEventListener('input', goalFromInputs);
  $('goal').addEventListener('input', soon(() => { fillGoalFields($('goal').value); edited({ goal: $('goal').value.trim() }); }));
  $('knobs').addEventListener('input', soon(() => edited({ knobs: $('knobs').value.trim() })));
  $('latency-source').addEventListener('change', () => {
    if (!edited({ latency: $('latency-source').value })) $('latency-source').value = app.state.latency;
  });
  $('bench-acc').addEventListener('change', () => {
    if (!edited({ acc: $('bench-acc').value })) $('bench-acc').value = app.state.acc;
  });
  $('bench-n').addEventListener('input', soon(() => edited({ n: $('bench-n').value.trim() })));
  $('solver').addEventListener('change', () => edited({ solver: $('solver').value }));
  $('seed').addEventListener('input', soon(() => edited({ seed: $('seed').value.trim() })));
  $('cost').addEventListener('change', () => edited({ cost: $('cost').value }));
  $('vs').addEventListener('change', () => edited({ vs: $('vs').value }));
  const shgoChoice = () => {
    app.shgoLevel = $('shgo-level').value;
    return edited({ shgo: shgoText($('shgo-level').value, $('shgo-x').value, $('shgo-y').value) });
  };
  for (const id of ['shgo-level', 'shgo-x', 'shgo-y']) $(id).addEventListener('change', shgoChoice);
}
