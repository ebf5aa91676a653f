// The hardware panel's measurement and calibration: the core calibrates, this
// module moves text between the fields, the worker and the state's `params`. The
// calibration and the device's profile come from the trainer's module (www/pkg-train:
// the core with the trainer and the device exports), loaded the first time they are needed,
// so a first visit does not download them.
import { formNumber, stateEdit } from './pkg/flash_nas.js';
import { chartInto } from './charts.js';

let ctx = null; // {app, edited, currentQuery, showError}
let device = null;

/** The module with the device exports (playgroundCalibrate, playgroundAgainstMeasured, deviceParams, measurementCsv). */
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
  if (c.report.prior) rows.push(['pull towards the profile', `${c.report.prior} (as for the measured devices; docs/hardware.md)`]);
  $('calib-fit').replaceChildren(...dl(rows));
  chartInto($('calib-chart'), c.chart);
  $('calib-chart').closest('details').open = true;
  ctx.edited({ profile, params: c.params, knobs: '' });
  return true;
}

const ms = (x) => `${x.toPrecision(3)} ms`;
const scoreText = (s) => `ρ ${s.spearman.toFixed(3)}, τ ${s.kendall.toFixed(3)}, MAPE ${s.mape.toFixed(1)} %, ${(100 * s.within_10).toFixed(0)} % within ±10 %`;

/** The link's measured device against its model calibrated on k of its networks (the core draws them). */
async function against() {
  let k;
  try {
    k = formNumber('against-networks', $('against-k').value);
  } catch (e) {
    ctx.showError($('against-k'), $('against-error'), String(e.message || e));
    return;
  }
  ctx.showError($('against-k'), $('against-error'), '');
  $('against-run').disabled = true;
  $('against-status').textContent = `Calibrating on ${k} measured networks and predicting the others…`;
  let a;
  try {
    const core = await deviceCore();
    const query = ctx.currentQuery();
    // This module is a core of its own: it reads the device's column as the search worker does.
    for (const name of core.nb201Missing(query)) {
      const response = await fetch(new URL(`../data/nb201/${name}.csv`, import.meta.url));
      if (!response.ok) throw new Error(`cannot load data/nb201/${name}.csv (HTTP ${response.status})`);
      core.nb201Load(name, await response.text());
    }
    a = core.playgroundAgainstMeasured(query, k, ctx.app.view?.result?.best?.arch ?? '');
  } catch (e) {
    $('against-status').textContent = '';
    ctx.showError($('against-k'), $('against-error'), String(e.message || e));
    return;
  } finally {
    $('against-run').disabled = false;
  }
  $('against-status').textContent = `${a.device}: ${a.start} calibrated on ${a.k} measured networks, judged on the other ${a.judged.toLocaleString('en')}.`;
  const rows = [
    ['calibrated, on the others', scoreText(a.calibrated)],
    ['uncalibrated, on the same', scoreText(a.uncalibrated)],
  ];
  if (a.help_rho != null) rows.push(['HELP, published (ρ after 10 samples)', `ρ ${a.help_rho.toFixed(3)}`]);
  if (a.pick) {
    rows.push(['the network found', `measured ${ms(a.pick.measured_ms)}, model ${ms(a.pick.model_ms)} (uncalibrated ${ms(a.pick.uncalibrated_ms)})`]);
  }
  for (const [key, unit, before, after] of a.moved) {
    rows.push([`${key} (${unit})`, `${before.toPrecision(3)} → ${after.toPrecision(3)}`]);
  }
  $('against-fit').replaceChildren(...dl(rows));
  chartInto($('against-chart'), a.chart);
  $('against-note').textContent = a.chart?.note ?? '';
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
  $('against-run').addEventListener('click', against);
  $('measure-cancel').addEventListener('click', () => {
    stop();
    $('measure-status').textContent = 'Cancelled; nothing changed.';
  });
}
