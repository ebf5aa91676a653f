// The page: turns fields into the playground state, asks the wasm core (in a
// worker) for the search, and writes what comes back into the DOM. It computes
// no model numbers itself. Text from the link, the fields or pasted files only
// ever reaches the DOM as textContent or attribute values; charts are SVG the
// core draws (plotters escapes every label), parsed as SVG, never as HTML.
import init, {
  describe, spaceSummary, defaultSpace, classics, hwProfiles, stateDecode, stateEncode, stateCheck,
  editParams, ownSamples, playgroundCalibrate, deviceParams, shippedSpace,
} from './pkg/flash_nas.js';
import { initPredictor, ownFile } from './predictor.js';
import { initHardware } from './hardware.js';
import { chartInto, download, downloadSvg, downloadPng } from './charts.js';

const $ = (id) => document.getElementById(id);
const fmt = new Intl.NumberFormat('en-US');
const shape = (s) => `${s.c}×${s.h}×${s.w}`;
const PANELS = ['hardware', 'space', 'predictor', 'goal', 'result', 'pareto', 'shgo', 'layers', 'compare'];
// Which field's box shows a notice about which state field.
const FIELD_BOX = { space: 'space-error', goal: 'goal-error', knobs: 'knobs-error', seed: 'seed-error', params: 'params-error', profile: 'params-error', own: 'own-error', samples: 'own-error' };

export const app = {
  state: null, // the last valid state: what the link and the results show
  view: null,
  profiles: [],
  step: null, // null: the whole search; k: SHGO chart up to iteration k
  timings: [], // edit → results, ms (read by tests/e2e/bench)
  watchdogMs: 20000, // a search silent this long is taken for a dead worker
};

/** Fault injection for the page's tests (tests/e2e): 'panic', 'crash', 'hang' or 'kill'. */
app.injectFault = (fault) => {
  if (fault === 'kill') {
    worker.terminate(); // dies without a word, as a killed worker does
    return;
  }
  worker.postMessage({ id: nextId++, type: 'fault', fault });
};

function showError(input, box, message) {
  if (input) input.setAttribute('aria-invalid', message ? 'true' : 'false');
  if (box) {
    box.hidden = !message;
    box.textContent = message || '';
  }
}

function cellText(tag, text) {
  const td = document.createElement(tag);
  td.textContent = text;
  return td;
}

function row(...texts) {
  const tr = document.createElement('tr');
  tr.append(...texts.map((t) => cellText('td', t)));
  return tr;
}

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

// ---------------------------------------------------------------- the search worker

// A fault stays on screen until the next edit (a result arriving does not hide it).
function showFault(text) {
  $('fault').textContent = text;
  $('fault').hidden = false;
}

let worker = null;
let busy = false;
let compareWorker = null;
let nextId = 1;
let latestRun = 0;
let pendingQuery = null;
const waiting = new Map(); // id → resolve, for step and trace requests

function startWorker() {
  worker = new Worker(new URL('./search-worker.js', import.meta.url), { type: 'module' });
  busy = false;
  worker.onmessage = ({ data }) => onWorkerMessage(data);
  worker.onerror = (e) => {
    e.preventDefault?.();
    workerFailed(`the search worker stopped (${e.message || 'it could not start'})`);
  };
}

function workerFailed(why) {
  disarm();
  worker?.terminate();
  startWorker();
  showFault(`${why}; it was restarted and your state is kept (link: ${location.href}).`);
  if (app.state) runSearch(stateEncode(app.state));
}

function onWorkerMessage(data) {
  if (data.type === 'error') {
    busy = false;
    disarm();
    const resolve = waiting.get(data.id);
    if (resolve) { waiting.delete(data.id); resolve(null); }
    // A panic leaves the core's memory in an unknown state: start a fresh worker.
    worker.terminate();
    startWorker();
    showFault(`The core failed on this state: ${data.message}. The worker was restarted and your state is kept; report it with this link: ${location.href}`);
    return;
  }
  if (data.type === 'run') {
    busy = false;
    disarm();
    if (data.id === latestRun) {
      app.view = data.view;
      app.step = null;
      render(data.view);
      const t = performance.now() - (app.editedAt ?? performance.now());
      app.timings.push({ total: t, core: data.ms });
      document.body.dataset.runs = String(Number(document.body.dataset.runs || 0) + 1);
      runCompare(data.view.link);
    }
    if (pendingQuery !== null) {
      const q = pendingQuery;
      pendingQuery = null;
      runSearch(q);
    }
    return;
  }
  const resolve = waiting.get(data.id);
  if (resolve) { waiting.delete(data.id); resolve(data); }
}

function ask(message) {
  const id = nextId++;
  return new Promise((resolve) => {
    waiting.set(id, resolve);
    worker.postMessage({ id, ...message });
  });
}

// A search that has not answered: after 400 ms the page offers Cancel; after
// app.watchdogMs it takes the worker for dead (killed, or stuck), starts a new
// one and sends the state again, once.
let watchdog = null;
let slow = null;
function arm(query) {
  clearTimeout(watchdog);
  clearTimeout(slow);
  slow = setTimeout(() => { $('search-running').hidden = false; }, 400);
  watchdog = setTimeout(() => {
    if (!busy) return;
    if (app.retried === query) {
      cancelSearch(`The search did not answer in ${app.watchdogMs / 1000} s twice; it was stopped`);
      return;
    }
    app.retried = query;
    workerFailed(`the search worker did not answer in ${app.watchdogMs / 1000} s`);
  }, app.watchdogMs);
}

function disarm() {
  clearTimeout(watchdog);
  clearTimeout(slow);
  $('search-running').hidden = true;
}

export function cancelSearch(why = 'Cancelled') {
  disarm();
  worker.terminate();
  startWorker();
  pendingQuery = null;
  showFault(`${why}: the results shown are from the last search that finished. Edit anything to search again.`);
}

export function runSearch(query) {
  clearTimeout(compareTimer);
  compareWorker?.terminate();
  compareWorker = null;
  if (busy) {
    // A long search (the exact solver, say) is stale now: stop it rather than queue behind it.
    if (performance.now() - app.sentAt > 150) {
      worker.terminate();
      startWorker();
    } else {
      pendingQuery = query;
      return;
    }
  }
  latestRun = nextId++;
  busy = true;
  app.sentAt = performance.now();
  arm(query);
  worker.postMessage({ id: latestRun, type: 'run', query, own: ownFile() });
}

let compareTimer = null;
// The comparison runs the exact optimum (up to seconds): it starts once typing
// pauses, so it never competes with the searches an edit asks for.
function runCompare(query) {
  clearTimeout(compareTimer);
  compareWorker?.terminate();
  compareWorker = null;
  if (app.state.hide.includes('compare')) return;
  $('compare-status').textContent = 'The comparison starts when you stop editing…';
  compareTimer = setTimeout(() => startCompare(query), 600);
}

function startCompare(query) {
  $('compare-status').textContent = 'Running the exact optimum and the baselines…';
  $('compare-table').tBodies[0].replaceChildren();
  compareWorker = new Worker(new URL('./search-worker.js', import.meta.url), { type: 'module' });
  compareWorker.onmessage = ({ data }) => {
    if (data.type === 'error') {
      $('compare-status').textContent = `The comparison failed: ${data.message}`;
    } else {
      renderCompare(data.comparison, data.ms);
    }
    compareWorker?.terminate();
    compareWorker = null;
  };
  compareWorker.onerror = (e) => {
    $('compare-status').textContent = `The comparison worker stopped: ${e.message || 'unknown error'}`;
  };
  compareWorker.postMessage({ id: 0, type: 'compare', query, own: ownFile() });
}

function renderCompare(c, ms) {
  const rows = c.rows.map((r) => row(
    r.solver,
    r.gap === null || r.gap === undefined ? '–' : `${(100 * r.gap).toFixed(2)} %`,
    fmt.format(r.evaluations),
    `${(1000 * r.seconds).toFixed(1)} ms`,
    r.feasible ? 'yes' : 'no',
  ));
  $('compare-table').tBodies[0].replaceChildren(...rows);
  $('compare-status').textContent = `${c.exact_message || 'Gaps against the exact optimum.'} All solvers took ${(ms / 1000).toFixed(2)} s in this browser.`;
}

// ---------------------------------------------------------------- state ↔ fields

function limitsFromGoal(goal) {
  const [objective, ...limits] = goal.split(',');
  const out = { objective, latency: '', energy: '', area: '', memory: '', accuracy: '', degree: '' };
  for (const l of limits) {
    const m = /^(latency|energy|area|memory|accuracy|degree)(<=|>=)(.*)$/.exec(l.trim());
    if (m) out[m[1]] = m[3];
  }
  return out;
}

function goalFromFields() {
  const parts = [$('objective').value];
  for (const [key, op] of [['latency', '<='], ['energy', '<='], ['area', '<='], ['memory', '<='], ['accuracy', '>='], ['degree', '>=']]) {
    const v = $(`lim-${key}`).value.trim();
    if (v !== '') parts.push(`${key}${op}${v}`);
  }
  return parts.join(',');
}

function fillGoalFields(goal) {
  const g = limitsFromGoal(goal);
  if ([...$('objective').options].some((o) => o.value === g.objective)) $('objective').value = g.objective;
  for (const key of ['latency', 'energy', 'area', 'memory', 'accuracy', 'degree']) $(`lim-${key}`).value = g[key];
}

function fillSpaceFields(summary) {
  const f = summary.fields;
  if (document.activeElement !== $('space-dataset')) $('space-dataset').value = f.dataset;
  if (document.activeElement !== $('space-family')) $('space-family').value = f.family;
  if (document.activeElement !== $('space-cells')) $('space-cells').value = String(f.cells.length);
  const body = $('space-table').tBodies[0];
  const mobile = f.family === 'mobile';
  const active = document.activeElement;
  if (active && body.contains(active) && body.rows.length === f.cells.length) return; // typing in the table
  body.replaceChildren(...f.cells.map((c, i) => {
    const tr = document.createElement('tr');
    tr.append(cellText('td', String(i + 1)));
    ['d', 'w', 't', 'e'].forEach((key, j) => {
      const td = document.createElement('td');
      const input = document.createElement('input');
      input.type = 'text';
      input.value = c[j];
      input.dataset.cell = String(i + 1);
      input.dataset.key = key;
      input.setAttribute('aria-label', `cell ${i + 1} ${key}`);
      input.disabled = key === 'e' && !mobile;
      input.addEventListener('input', spaceFromTable);
      td.append(input);
      tr.append(td);
    });
    return tr;
  }));
}

// The structured editor writes the text form; the core checks it.
function spaceFromTable() {
  const summary = app.spaceSummary;
  const frameSame = summary && summary.fields.dataset === $('space-dataset').value && summary.fields.family === $('space-family').value;
  const frame = frameSame ? summary.fields.frame : `${$('space-dataset').value}/${$('space-family').value}/`;
  const n = Number($('space-cells').value);
  const rows = [...$('space-table').tBodies[0].rows];
  const items = [`cells=${$('space-cells').value.trim()}`];
  const mobile = $('space-family').value === 'mobile';
  if (Number.isInteger(n) && n >= 1) {
    for (let i = 0; i < n; i++) {
      const r = rows[Math.min(i, rows.length - 1)];
      for (const key of mobile ? ['d', 'w', 't', 'e'] : ['d', 'w', 't']) {
        const input = r?.querySelector(`input[data-key="${key}"]`);
        const fallback = key === 't' && !frameSame ? (($('space-family').value === 'dense') ? '0..49' : '*') : (key === 'e' ? '6' : '');
        const value = frameSame || key !== 't' ? (input?.value.trim() || fallback) : fallback;
        if (value !== '') items.push(`c${i + 1}.${key}=${value}`);
      }
    }
  }
  $('space').value = `${frame}${items.join(';')}`;
  onSpaceText();
}

function onSpaceText() {
  const input = $('space');
  try {
    const s = spaceSummary(input.value);
    showError(input, $('space-error'), '');
    app.spaceSummary = s;
    $('count').textContent = fmt.format(BigInt(s.count));
    $('count').title = s.count_approx;
    $('count-detail').textContent = `${s.per_cell.join(' × ')} — a configuration is ${s.configuration}.`;
    fillSpaceFields(s);
    edited({ space: s.space === defaultSpace() ? 'default' : s.space });
  } catch (e) {
    showError(input, $('space-error'), String(e.message || e));
  }
}

function fillControls(state) {
  $('profile').value = state.profile;
  const space = state.space === 'default' ? defaultSpace() : state.space;
  $('space').value = space;
  try {
    const s = spaceSummary(space);
    app.spaceSummary = s;
    $('count').textContent = fmt.format(BigInt(s.count));
    $('count').title = s.count_approx;
    $('count-detail').textContent = `${s.per_cell.join(' × ')} — a configuration is ${s.configuration}.`;
    fillSpaceFields(s);
  } catch { /* a checked state always has a valid space */ }
  $('sample-set').value = state.samples;
  $('goal').value = state.goal;
  fillGoalFields(state.goal);
  $('knobs').value = state.knobs;
  $('solver').value = state.solver;
  $('seed').value = String(state.seed);
  $('cost').value = state.cost;
  const [level, axes] = state.shgo.split(':');
  const [x, y] = axes.split(',');
  app.shgoLevel = level;
  $('shgo-x').value = x;
  $('shgo-y').value = y;
  for (const p of PANELS) {
    $(`panel-${p}`).hidden = state.hide.includes(p);
    const box = document.querySelector(`#hide-panels input[value="${p}"]`);
    if (box) box.checked = state.hide.includes(p);
  }
}

// An edit: the candidate state is checked as a link would be; a bad field is
// marked where it was typed and the last valid state keeps running.
export function edited(changes) {
  const candidate = { ...app.state, ...changes };
  const checked = stateCheck(candidate);
  const boxes = new Set(Object.values(FIELD_BOX));
  const bad = new Map();
  for (const n of checked.notices) {
    const box = FIELD_BOX[n.field];
    if (box) bad.set(box, `${n.field}: ${n.message}`);
  }
  for (const box of boxes) {
    if (box === 'space-error' && !bad.has(box)) continue; // the space field checks itself as you type
    const input = { 'goal-error': $('goal'), 'knobs-error': $('knobs'), 'seed-error': $('seed'), 'space-error': $('space') }[box];
    if (bad.has(box) || changesTouch(box, changes)) showError(input, $(box), bad.get(box) || '');
  }
  const unboxed = checked.notices.filter((n) => !FIELD_BOX[n.field]);
  if (unboxed.length) showNotices(unboxed, 'Some values could not be used:');
  if (checked.notices.length) return false;
  commit(checked.state);
  return true;
}

function changesTouch(box, changes) {
  return Object.keys(changes).some((k) => FIELD_BOX[k] === box);
}

export function commit(state) {
  $('fault').hidden = true;
  const before = app.state ? stateEncode(app.state) : null;
  app.state = state;
  const link = stateEncode(state);
  if (link === before) return;
  history.replaceState(null, '', `?${link}`);
  $('link').value = location.href;
  for (const p of PANELS) $(`panel-${p}`).hidden = state.hide.includes(p);
  // Selects an edit elsewhere can change (calibration picks the device profile, training the own set).
  $('profile').value = state.profile;
  $('sample-set').value = state.samples;
  $('solver').value = state.solver;
  $('cost').value = state.cost;
  app.editedAt = performance.now();
  runSearch(link);
}

export const currentQuery = () => stateEncode(app.state);

// ---------------------------------------------------------------- rendering

const unitText = (v, unit, digits = 4) => (v === null || v === undefined ? '–' : `${Number(v.toPrecision(digits))} ${unit}`);

function render(view) {
  $('link').value = location.href;
  const r = view.result;
  showError(null, $('result-error'), view.error ? `The search could not run: ${view.error}` : '');
  $('result-message').textContent = r ? `${r.feasible ? '' : 'Infeasible: '}${r.message}` : '';
  const b = r?.best;
  const m = b?.metrics;
  $('r-accuracy').textContent = m?.accuracy === null || m?.accuracy === undefined ? '– (no sample set)' : m.accuracy.toFixed(4);
  $('r-degree').textContent = m ? m.nn_degree.toFixed(2) : '–';
  $('r-latency').textContent = m ? unitText(m.latency_s * 1e3, 'ms') : '–';
  $('r-energy').textContent = m ? unitText(m.energy_j * 1e3, 'mJ') : '–';
  $('r-area').textContent = m ? (m.area_mm2 > 0 ? unitText(m.area_mm2, 'mm²') : 'fixed silicon') : '–';
  $('r-memory').textContent = m ? unitText(m.memory_bytes / 1048576, 'MiB') : '–';
  $('r-params').textContent = m ? fmt.format(m.params) : '–';
  $('r-macs').textContent = m ? fmt.format(m.macs) : '–';
  $('r-hardware').textContent = b ? b.hardware : '–';
  $('r-search').textContent = r ? `${r.solver}: ${fmt.format(r.evaluations)} evaluations, ${(1000 * r.seconds).toFixed(1)} ms` : '–';
  $('r-arch').textContent = b ? b.arch : '';
  $('binding').tBodies[0].replaceChildren(...(r?.binding ?? []).map((x) => row(x.limit, String(Number(x.value.toPrecision(5))), `${(100 * x.slack).toFixed(1)} %`, x.binds ? 'binds' : '')));
  chartInto($('diagram'), view.best ? { svg: view.best.diagram, points: [] } : null);
  chartInto($('pareto-chart'), view.pareto);
  $('pareto-note').textContent = view.pareto?.note ?? '';
  renderShgo(view.shgo, view.steps);
  chartInto($('layers-chart'), view.layers);
  $('layers-note').textContent = view.layers?.note ?? '';
  renderPredictor(view.predictor);
  const missing = view.notices.find((n) => n.field === 'own' && !n.value);
  if (missing) {
    showError(null, $('own-error'), missing.message);
    $('own-error').closest('details').open = true;
  }
  renderProfile(view.profile);
  $('cli-text').textContent = `${view.command}\n\n${b ? `# the network (docs/space.md text form)\n${b.arch}` : ''}`;
  const levels = ['shared', ...Array.from({ length: app.spaceSummary?.fields.cells.length ?? 3 }, (_, i) => `cell${i + 1}`)];
  const sel = $('shgo-level');
  if (sel.options.length !== levels.length) sel.replaceChildren(...levels.map((l) => new Option(l === 'shared' ? 'shared (all cells)' : l.replace('cell', 'cell '), l)));
  sel.value = app.shgoLevel;
  $('status').hidden = true;
}

function renderShgo(chart, steps) {
  chartInto($('shgo-chart'), chart);
  $('shgo-note').textContent = chart?.note ?? '';
  app.steps = steps;
  $('step-label').textContent = app.step === null ? `all ${steps} iterations` : `iteration ${app.step + 1} of ${steps}`;
  $('step-prev').disabled = steps === 0;
  $('step-next').disabled = steps === 0 || (app.step !== null && app.step >= steps - 1);
}

async function step(delta) {
  if (!app.steps) return;
  app.step = app.step === null ? (delta > 0 ? 0 : app.steps - 1) : Math.max(0, Math.min(app.steps - 1, app.step + delta));
  const reply = await ask({ type: 'step', step: app.step });
  if (reply?.chart) renderShgo(reply.chart, app.steps);
}

function renderPredictor(p) {
  const shown = Boolean(p);
  $('fit').classList.toggle('stale', !shown);
  if (!p) {
    for (const id of ['fit-n', 'fit-model', 'fit-mae', 'fit-rank', 'fit-degree']) $(id).textContent = '–';
    $('provenance').textContent = app.state.samples === 'none' ? 'No sample set: the search ranks networks by NN-Degree.' : '';
    chartInto($('predictor-chart'), null);
    return;
  }
  const r = p.report;
  const num = (x, d) => (x === null || x === undefined ? '–' : x.toFixed(d));
  const chosen = r.candidates.find((c) => JSON.stringify(c.model) === JSON.stringify(r.chosen.model));
  const degree = r.correlations.find((f) => f.feature === 'nn_degree');
  $('fit-n').textContent = String(p.rows);
  $('fit-model').textContent = chosen.name;
  $('fit-mae').textContent = num(chosen.loo_mae, 4);
  $('fit-rank').textContent = `${num(chosen.loo_spearman, 3)} / ${num(chosen.loo_kendall, 3)}`;
  $('fit-degree').textContent = `${num(degree.spearman, 3)} / ${num(degree.kendall, 3)}`;
  $('provenance').textContent = [`source: ${p.source}`, ...p.provenance].join('\n');
  chartInto($('predictor-chart'), p.chart ? { svg: p.chart, points: [] } : null);
}

function renderProfile(view) {
  if (!view) return;
  $('profile-desc').textContent = `${view.title}: ${view.description} (model: ${view.model})`;
  const body = $('params').tBodies[0];
  const active = document.activeElement;
  if (active && body.contains(active)) return; // keep the field being typed in
  body.replaceChildren(...view.params.map((p) => {
    const tr = document.createElement('tr');
    const name = cellText('td', p.key);
    name.title = p.meaning;
    const td = document.createElement('td');
    const input = document.createElement('input');
    input.type = 'number';
    input.step = 'any';
    input.min = String(p.min);
    input.max = String(p.max);
    input.value = String(p.value);
    input.dataset.key = p.key;
    input.setAttribute('aria-label', `${p.key} (${p.unit}): ${p.meaning}`);
    input.addEventListener('change', () => onParamEdit(input));
    td.append(input);
    tr.append(name, td, cellText('td', p.unit), cellText('td', p.source));
    return tr;
  }));
}

function onParamEdit(input) {
  const value = Number(input.value);
  try {
    if (input.value.trim() === '' || !Number.isFinite(value)) throw new Error(`params.${input.dataset.key} = "${input.value}" is not a number: allowed ${input.min}..=${input.max}`);
    const params = editParams(currentQuery(), input.dataset.key, value);
    showError(input, $('params-error'), '');
    edited({ params });
  } catch (e) {
    showError(input, $('params-error'), String(e.message || e));
  }
}

// ---------------------------------------------------------------- the explorer of one network

function renderArch() {
  const input = $('arch');
  let d;
  try {
    d = describe(input.value);
  } catch (e) {
    showError(input, $('arch-error'), String(e.message || e));
    $('metrics').classList.add('stale');
    return;
  }
  showError(input, $('arch-error'), '');
  $('metrics').classList.remove('stale');
  $('nn-degree').textContent = d.nn_degree.toFixed(3);
  $('cell-degrees').textContent = d.cells.map((c) => c.degree.toFixed(2)).join(' + ');
  $('params-count').textContent = fmt.format(d.totals.params);
  $('macs').textContent = fmt.format(d.totals.macs);
  $('layer-count').textContent = String(d.totals.layers);
  $('layers').tBodies[0].replaceChildren(...d.layers.map((l) => row(l.name, l.kind, shape(l.input), shape(l.output), fmt.format(l.params), fmt.format(l.macs))));
}

function initExplorer() {
  const select = $('examples');
  select.append(new Option('(your own)', ''));
  for (const [name, text] of classics()) select.append(new Option(name, text));
  select.addEventListener('change', () => {
    if (select.value) { $('arch').value = select.value; renderArch(); }
  });
  const syncPicker = () => {
    const match = [...select.options].find((o) => o.value && o.value === $('arch').value.trim());
    select.value = match ? match.value : '';
  };
  $('arch').addEventListener('input', () => { syncPicker(); renderArch(); });
  $('arch').value = select.options[1].value;
  syncPicker();
  renderArch();
}

// ---------------------------------------------------------------- wiring

function debounce(fn, ms) {
  let t = null;
  return (...args) => { clearTimeout(t); t = setTimeout(() => fn(...args), ms); };
}

function wire() {
  const soon = (fn) => debounce(fn, 40);
  $('profile').addEventListener('change', () => edited({ profile: $('profile').value, params: '', knobs: '' }));
  $('params-reset').addEventListener('click', () => edited({ params: '' }));
  $('space').addEventListener('input', soon(onSpaceText));
  for (const id of ['space-dataset', 'space-family', 'space-cells']) $(id).addEventListener('input', soon(spaceFromTable));
  $('sample-set').addEventListener('change', () => {
    if ($('sample-set').value === 'own' && !app.ownText && !app.state.own) {
      showError($('sample-set'), $('own-error'), 'own samples: paste or load a CSV below, or train networks, first');
      $('sample-set').value = app.state.samples;
      return;
    }
    const samples = $('sample-set').value;
    // A shipped set predicts its own data set's networks: move the default space to theirs.
    const space = shippedSpace(samples);
    if (space && app.state.space === 'default') {
      if (edited({ samples, space })) fillControls(app.state);
      return;
    }
    edited({ samples });
  });
  const goalFromInputs = soon(() => { $('goal').value = goalFromFields(); edited({ goal: $('goal').value }); });
  $('objective').addEventListener('change', goalFromInputs);
  for (const key of ['latency', 'energy', 'area', 'memory', 'accuracy', 'degree']) $(`lim-${key}`).addEventListener('input', goalFromInputs);
  $('goal').addEventListener('input', soon(() => { fillGoalFields($('goal').value); edited({ goal: $('goal').value.trim() }); }));
  $('knobs').addEventListener('input', soon(() => edited({ knobs: $('knobs').value.trim() })));
  $('solver').addEventListener('change', () => edited({ solver: $('solver').value }));
  $('seed').addEventListener('input', soon(() => {
    const v = Number($('seed').value);
    if ($('seed').value.trim() === '' || !Number.isSafeInteger(v) || v < 0) {
      showError($('seed'), $('seed-error'), `seed = "${$('seed').value}" is not allowed: allowed an integer 0..=9007199254740991`);
      return;
    }
    edited({ seed: v });
  }));
  $('cost').addEventListener('change', () => edited({ cost: $('cost').value }));
  const shgoChoice = () => {
    if ($('shgo-x').value === $('shgo-y').value) return showNotices([{ field: 'shgo', value: '', message: 'x and y must be different coordinates' }], 'The SHGO chart:');
    app.shgoLevel = $('shgo-level').value;
    return edited({ shgo: `${$('shgo-level').value}:${$('shgo-x').value},${$('shgo-y').value}` });
  };
  for (const id of ['shgo-level', 'shgo-x', 'shgo-y']) $(id).addEventListener('change', shgoChoice);
  $('search-cancel').addEventListener('click', () => cancelSearch());
  $('step-next').addEventListener('click', () => step(1));
  $('step-prev').addEventListener('click', () => step(-1));
  $('step-all').addEventListener('click', () => { app.step = null; renderShgo(app.view.shgo, app.view.steps); });
  const hide = $('hide-panels');
  for (const p of PANELS) {
    const label = document.createElement('label');
    const box = document.createElement('input');
    box.type = 'checkbox';
    box.value = p;
    box.addEventListener('change', () => edited({ hide: PANELS.filter((q) => hide.querySelector(`input[value="${q}"]`).checked) }));
    label.append(box, ` ${p}`);
    hide.append(label);
  }
  $('copy-link').addEventListener('click', async () => {
    try {
      if (!navigator.clipboard) throw new Error('no clipboard');
      await navigator.clipboard.writeText(location.href);
      $('share-status').textContent = 'The link is on the clipboard.';
    } catch {
      $('link').focus();
      $('link').select();
      $('share-status').textContent = 'The clipboard is not available here: the link is selected, copy it with Ctrl+C (⌘C).';
    }
  });
  $('export-json').addEventListener('click', () => download('flash-result.json', JSON.stringify({ link: location.href, state: app.view.state, notices: app.view.notices, result: app.view.result, command: app.view.command }, null, 2), 'application/json'));
  $('export-csv').addEventListener('click', async () => {
    const reply = await ask({ type: 'trace' });
    if (reply) download('flash-trace.csv', reply.csv, 'text/csv');
  });
  $('export-pytorch').addEventListener('click', () => app.view.best && download('flash_network.py', app.view.best.pytorch, 'text/x-python'));
  $('export-cli').addEventListener('click', () => download('flash-search.txt', `${$('cli-text').textContent}\n`, 'text/plain'));
  const chartSvg = () => {
    const v = app.view;
    return { pareto: v.pareto?.svg, shgo: ((el) => (el ? new XMLSerializer().serializeToString(el) : v.shgo?.svg))(document.querySelector('#shgo-chart svg')), layers: v.layers?.svg, diagram: v.best?.diagram, predictor: v.predictor?.chart }[$('export-chart').value];
  };
  const exportChart = (as) => {
    const s = chartSvg();
    const name = `flash-${$('export-chart').value}.${as}`;
    if (!s) {
      $('share-status').textContent = `There is no ${$('export-chart').selectedOptions[0].textContent} chart for this state to export.`;
      return;
    }
    if (as === 'svg') downloadSvg(name, s);
    else downloadPng(name, s, (why) => { $('share-status').textContent = `The PNG could not be drawn: ${why}; the SVG export works.`; });
  };
  $('export-svg').addEventListener('click', () => exportChart('svg'));
  $('export-png').addEventListener('click', () => exportChart('png'));
  $('own-download').addEventListener('click', () => { if (app.ownText) download('flash-own-samples.csv', app.ownText, 'text/csv'); });
}

async function main() {
  await init();
  app.profiles = hwProfiles();
  for (const p of app.profiles) $('profile').append(new Option(`${p.name}: ${p.title}`, p.name));
  const decoded = stateDecode(location.search.length > 1 ? location.search : location.hash);
  app.state = decoded.state;
  if (decoded.notices.length) showNotices(decoded.notices, 'This link had values that could not be used; the defaults are used for them:');
  wire();
  fillControls(app.state);
  history.replaceState(null, '', `?${stateEncode(app.state)}`);
  $('link').value = location.href;
  initExplorer();
  initPredictor({ app, edited, ownSamples, showError, rerun: () => { app.editedAt = performance.now(); runSearch(stateEncode(app.state)); } });
  initHardware({ app, edited, currentQuery, playgroundCalibrate, deviceParams, showError });
  startWorker();
  app.editedAt = performance.now();
  runSearch(stateEncode(app.state));
}

window.flashApp = app;
main().catch((e) => {
  const status = $('status');
  status.hidden = false;
  status.classList.add('error');
  status.textContent = `The WebAssembly core could not start: ${e.message || e}. Build it with scripts/build.sh.`;
});
