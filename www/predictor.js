// The predictor panel: loads a shipped sample set, shows the core's fit, and
// drives the training worker. Text only goes into the DOM as textContent.
import { fitSamples } from './pkg/flash_nas.js';

const $ = (id) => document.getElementById(id);
const sets = new Map(); // path → CSV text, with rows trained here appended
let worker = null;

function showError(box, message) {
  box.hidden = !message;
  box.textContent = message || '';
}

const num = (x, digits) => (x === null || x === undefined ? '–' : x.toFixed(digits));

function render(path) {
  let fitted;
  try {
    fitted = fitSamples(sets.get(path));
  } catch (e) {
    showError($('fit-error'), `${path}: ${e.message || e}`);
    $('fit').classList.add('stale');
    return;
  }
  showError($('fit-error'), '');
  $('fit').classList.remove('stale');
  const r = fitted.report;
  const chosen = r.candidates.find((c) => JSON.stringify(c.model) === JSON.stringify(r.chosen.model));
  const degree = r.correlations.find((f) => f.feature === 'nn_degree');
  $('fit-n').textContent = String(fitted.set.samples.length);
  $('fit-model').textContent = chosen.name;
  $('fit-mae').textContent = num(chosen.loo_mae, 4);
  $('fit-rank').textContent = `${num(chosen.loo_spearman, 3)} / ${num(chosen.loo_kendall, 3)}`;
  $('fit-degree').textContent = `${num(degree.spearman, 3)} / ${num(degree.kendall, 3)}`;
  $('provenance').textContent = fitted.set.provenance.join('\n');
}

async function load(path) {
  if (!sets.has(path)) {
    const response = await fetch(path);
    if (!response.ok) throw new Error(`cannot load ${path} (HTTP ${response.status})`);
    sets.set(path, await response.text());
  }
  render(path);
}

function cell(text) {
  const td = document.createElement('td');
  td.textContent = text;
  return td;
}

function setRunning(running) {
  $('train-start').disabled = running;
  $('train-cancel').disabled = !running;
}

function readField(id, lo, hi) {
  const input = $(id);
  const v = Number(input.value);
  const ok = Number.isInteger(v) && v >= lo && v <= hi;
  input.setAttribute('aria-invalid', ok ? 'false' : 'true');
  if (!ok) throw new Error(`${input.labels[0].textContent} = ${input.value} is not allowed: allowed ${lo}..=${hi}`);
  return v;
}

function startTraining() {
  let k, seed;
  try {
    k = readField('train-k', 1, 20);
    seed = readField('train-seed', 0, 4294967295);
  } catch (e) {
    showError($('train-error'), e.message);
    return;
  }
  showError($('train-error'), '');
  const path = 'data/samples/digits.csv';
  worker = new Worker(new URL('./train-worker.js', import.meta.url), { type: 'module' });
  setRunning(true);
  $('train-status').textContent = 'Loading the trainer…';
  $('train-all').max = k;
  $('train-all').value = 0;
  worker.onmessage = ({ data }) => {
    if (data.type === 'start') {
      $('train-status').textContent = `Training ${data.archs.length} networks…`;
    } else if (data.type === 'progress') {
      $('train-network').max = data.steps;
      $('train-network').value = data.step;
      $('train-status').textContent = `Network ${data.i + 1} of ${k}: ${data.arch}, epoch ${data.epoch}/${data.epochs}, loss ${data.loss.toFixed(3)}`;
    } else if (data.type === 'row') {
      $('train-all').value = data.i + 1;
      const text = sets.get(path);
      sets.set(path, `${text.endsWith('\n') ? text : `${text}\n`}${data.row.csv}\n`);
      const tr = document.createElement('tr');
      tr.append(cell(data.row.arch), cell(data.row.nn_degree.toFixed(2)), cell(data.row.test_accuracy.toFixed(4)), cell(data.row.seconds.toFixed(2)));
      $('trained').tBodies[0].append(tr);
      $('sample-set').value = path;
      render(path);
    } else if (data.type === 'done') {
      $('train-status').textContent = `Trained ${k} networks and refitted the predictor.`;
      stop();
    } else if (data.type === 'error') {
      showError($('train-error'), data.message);
      $('train-status').textContent = 'Training stopped.';
      stop();
    }
  };
  worker.onerror = (e) => {
    showError($('train-error'), `The training worker failed: ${e.message || 'it could not start'}. Build it with scripts/build.sh.`);
    stop();
  };
  load(path).then(() => worker.postMessage({ k, seed }), (e) => {
    showError($('train-error'), e.message);
    stop();
  });
}

function stop() {
  worker?.terminate();
  worker = null;
  setRunning(false);
  $('train-network').value = 0;
}

export async function initPredictor() {
  const select = $('sample-set');
  select.addEventListener('change', () => load(select.value).catch((e) => showError($('fit-error'), e.message)));
  $('train-start').addEventListener('click', startTraining);
  $('train-cancel').addEventListener('click', () => {
    stop();
    $('train-status').textContent = 'Cancelled; the networks trained so far stay in the set.';
  });
  await load(select.value).catch((e) => showError($('fit-error'), e.message));
}
