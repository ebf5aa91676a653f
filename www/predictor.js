// The predictor panel's own data: pasted or loaded sample CSVs and networks
// trained here in a worker. The fit itself comes with each search result (the
// core fits the state's samples); this module only turns data into the
// state's `own` field. Text only goes into the DOM as textContent.
import { formNumber, trainingPlan, trainedRow } from './pkg/flash_nas.js';

let ctx = null; // {app, edited, ownSamples, showError}
let worker = null;
const $ = (id) => document.getElementById(id);

/** The CSV a link names by fingerprint (own=file:…), if the user has loaded it. */
export function ownFile() {
  return ctx?.app.state?.own?.startsWith('file:') ? ctx.app.ownText : undefined;
}

function useOwn(text, where) {
  let own;
  try {
    own = ctx.ownSamples(text);
  } catch (e) {
    ctx.showError(null, $('own-error'), `${where}: ${e.message || e}`);
    return false;
  }
  ctx.showError(null, $('own-error'), '');
  ctx.app.ownText = text;
  const ok = ctx.edited({ samples: 'own', own });
  $('sample-set').value = ctx.app.state.samples;
  $('share-status').textContent = own.startsWith('file:')
    ? 'Your samples are too large for a link: the link names them by row count and fingerprint. Download them (predictor panel) and send the file with the link.'
    : 'Your samples travel in the link.';
  return ok;
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

// The core reads the number and names the field and its range when it is not allowed.
function readField(id, key) {
  const input = $(id);
  try {
    const v = formNumber(key, input.value);
    input.setAttribute('aria-invalid', 'false');
    return v;
  } catch (e) {
    input.setAttribute('aria-invalid', 'true');
    throw e;
  }
}

// Training in the page draws networks from the space on screen and adds them to the set the
// search uses (the core's trainingPlan says which, or why this space cannot train here).

async function startTraining() {
  let k, seed;
  try {
    k = readField('train-k', 'train-networks');
    seed = readField('train-seed', 'train-seed');
  } catch (e) {
    ctx.showError(null, $('train-error'), String(e.message || e));
    return;
  }
  let plan;
  try {
    plan = trainingPlan(ctx.currentQuery(), ownFile());
  } catch (e) {
    ctx.showError(null, $('train-error'), String(e.message || e));
    return;
  }
  ctx.showError(null, $('train-error'), '');
  let text = plan.base_csv;
  worker = new Worker(new URL('./train-worker.js', import.meta.url), { type: 'module' });
  setRunning(true);
  $('train-status').textContent = 'Loading the trainer…';
  $('train-all').max = k;
  $('train-all').value = 0;
  worker.onmessage = ({ data }) => {
    if (data.type === 'start') {
      $('train-status').textContent = `Training ${data.archs.length} networks of ${plan.space}, added to ${plan.into}…`;
    } else if (data.type === 'progress') {
      $('train-network').max = data.steps;
      $('train-network').value = data.step;
      $('train-status').textContent = `Network ${data.i + 1} of ${k}: ${data.arch}, epoch ${data.epoch}/${data.epochs}, loss ${data.loss.toFixed(3)}`;
    } else if (data.type === 'row') {
      $('train-all').value = data.i + 1;
      text = `${text.endsWith('\n') ? text : `${text}\n`}${trainedRow(data.row.arch, data.row.test_accuracy)}`;
      const tr = document.createElement('tr');
      tr.append(cell(data.row.arch), cell(data.row.nn_degree.toFixed(2)), cell(data.row.test_accuracy.toFixed(4)), cell(data.row.seconds.toFixed(2)));
      $('trained').tBodies[0].append(tr);
      useOwn(text, 'trained networks');
    } else if (data.type === 'done') {
      $('train-status').textContent = `Trained ${k} networks and refitted the predictor.`;
      stop();
    } else if (data.type === 'error') {
      ctx.showError(null, $('train-error'), data.message);
      $('train-status').textContent = 'Training stopped.';
      stop();
    }
  };
  worker.onerror = (e) => {
    ctx.showError(null, $('train-error'), `The training worker failed: ${e.message || 'it could not start'}. Build it with scripts/build.sh.`);
    stop();
  };
  worker.postMessage({ k, seed, space: plan.space });
}

function stop() {
  worker?.terminate();
  worker = null;
  setRunning(false);
  $('train-network').value = 0;
}

export function initPredictor(context) {
  ctx = context;
  $('own-use').addEventListener('click', () => useOwn($('own-csv').value, 'pasted samples'));
  $('own-file').addEventListener('change', async () => {
    const file = $('own-file').files[0];
    if (!file) return;
    try {
      formNumber('own-file-bytes', String(file.size));
    } catch (e) {
      ctx.showError(null, $('own-error'), `${file.name}: ${e.message || e}`);
      return;
    }
    const text = await file.text();
    const named = ctx.app.state.own.startsWith('file:') ? ctx.app.state.own : null;
    if (named && ctx.ownSamples(text) === named) {
      // The file this link names: the link stays, the search now has its rows.
      ctx.app.ownText = text;
      ctx.showError(null, $('own-error'), '');
      ctx.rerun();
      return;
    }
    useOwn(text, file.name);
  });
  $('train-start').addEventListener('click', startTraining);
  $('train-cancel').addEventListener('click', () => {
    stop();
    $('train-status').textContent = 'Cancelled; the networks trained so far stay in the set.';
  });
}
