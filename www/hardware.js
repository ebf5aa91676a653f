// The hardware panel's measurement and calibration: the core calibrates, this
// module moves text between the fields, the worker and the state's `params`. The
// calibration and the device's profile come from the trainer's module (www/pkg-train:
// the core with the trainer and the device exports), loaded the first time they are needed,
// so a first visit does not download them.
import { formNumber, stateEdit } from './pkg/flash_nas.js';
import { chartInto } from './charts.js';

let ctx = null; // {app, edited, currentQuery, showError}
let device = null;

/** The module with the device exports (playgroundCalibrate, deviceParams, measurementCsv). */
async function deviceCore() {
  if (!device) {
    device = import('./pkg-train/flash_nas.js').then(async (m) => {
      await m.default();
      return m;
    });
  }
  return device;
}
let worker = null;
const $ = (id) => document.getElementById(id);

function dl(pairs) {
  return pairs.map(([k, v]) => {
    const div = document.createElement('div');
    const dt = document.createElement('dt');
    const dd = document.createElement('dd');
    dt.textContent = k;
    dd.textContent = v;
    div.append(dt, dd);
    return div;
  });
}

const pct = (x) => (x === null || x === undefined ? '–' : `${x.toFixed(1)} %`);
const tau = (x) => (x === null || x === undefined ? '–' : x.toFixed(3));

/** Calibrates the profile of `query` on `csv`; on success the state takes the fitted values. */
async function calibrate(query, csv, profile) {
  let c;
  try {
    $('calib-run').disabled = true;
    c = (await deviceCore()).playgroundCalibrate(query, csv);
  } catch (e) {
    $('calib-run').disabled = false;
    ctx.showError($('calib-csv'), $('calib-error'), String(e.message || e));
    return false;
  }
  $('calib-run').disabled = false;
  ctx.showError($('calib-csv'), $('calib-error'), '');
  const rows = [];
  for (const t of c.report.targets) {
    rows.push([`${t.target} MAPE before → fitted`, `${pct(t.prior.mape)} → ${pct(t.fitted.mape)}`]);
    if (t.cross_validated) rows.push([`${t.target} MAPE, ${c.report.folds}-fold`, pct(t.cross_validated.mape)]);
    rows.push([`${t.target} Kendall τ`, tau(t.fitted.kendall_tau)]);
    // The core fits the linear baselines on the same folds: the model's figure with one beside it.
    for (const b of t.baselines) {
      if (b.cross_validated) {
        rows.push([`baseline: ${b.name}, ${c.report.folds}-fold MAPE, τ`, `${pct(b.cross_validated.mape)}, ${tau(b.cross_validated.kendall_tau)}`]);
      }
    }
  }
  rows.push(['samples', String(c.report.samples)]);
  $('calib-fit').replaceChildren(...dl(rows));
  chartInto($('calib-chart'), c.chart);
  $('calib-chart').closest('details').open = true;
  ctx.edited({ profile, params: c.params, knobs: '' });
  return true;
}

function setRunning(running) {
  $('measure-start').disabled = running;
  $('measure-cancel').disabled = !running;
}

function stop() {
  worker?.terminate();
  worker = null;
  setRunning(false);
}

function measure() {
  let n;
  try {
    n = formNumber('measure-networks', $('measure-n').value);
  } catch (e) {
    ctx.showError($('measure-n'), $('calib-error'), String(e.message || e));
    return;
  }
  ctx.showError($('measure-n'), $('calib-error'), '');
  const { space, seed } = ctx.app.state;
  let probe = null;
  const timings = [];
  worker = new Worker(new URL('./measure-worker.js', import.meta.url), { type: 'module' });
  setRunning(true);
  $('measure-progress').max = n + 1;
  $('measure-progress').value = 0;
  $('measure-status').textContent = 'Probing compute and memory roofs…';
  worker.onmessage = async ({ data }) => {
    if (data.type === 'probe') {
      probe = data.probe;
      $('measure-progress').value = 1;
      $('measure-status').textContent = `GEMM ${probe.gemm_gflops.toFixed(1)} GFLOP/s, copy ${probe.copy_gbs.toFixed(1)} GB/s; timing networks…`;
    } else if (data.type === 'timed') {
      timings.push(data.timing);
      $('measure-progress').value = data.i + 2;
      $('measure-status').textContent = `Network ${data.i + 1} of ${data.n}: ${(data.timing.median * 1e3).toFixed(2)} ms`;
    } else if (data.type === 'done') {
      stop();
      let csv;
      let params;
      try {
        const core = await deviceCore();
        csv = core.measurementCsv(['measured in this browser by the flash-nas playground', navigator.userAgent], timings);
        $('calib-csv').value = csv;
        params = core.deviceParams(probe.gemm_gflops, probe.copy_gbs);
      } catch (e) {
        ctx.showError(null, $('calib-error'), String(e.message || e));
        return;
      }
      const { query } = stateEdit(ctx.app.state, { profile: 'device', params, knobs: '' });
      $('measure-status').textContent = await calibrate(query, csv, 'device')
        ? `Measured ${n} networks; the device profile is calibrated on them.`
        : `Measured ${n} networks, but the calibration failed (below); the measurements are in the CSV field.`;
    } else if (data.type === 'error') {
      stop();
      ctx.showError(null, $('calib-error'), `The measurement failed: ${data.message}`);
    }
  };
  worker.onerror = (e) => {
    stop();
    ctx.showError(null, $('calib-error'), `The measurement worker failed: ${e.message || 'it could not start'}`);
  };
  worker.postMessage({ space, n, seed });
}

export function initHardware(context) {
  ctx = context;
  $('calib-run').addEventListener('click', () => calibrate(ctx.currentQuery(), $('calib-csv').value, ctx.app.state.profile));
  $('measure-start').addEventListener('click', measure);
  $('measure-cancel').addEventListener('click', () => {
    stop();
    $('measure-status').textContent = 'Cancelled; nothing changed.';
  });
}
