// The panels that show a search: the result, charts, SHGO's step mode, the
// predictor's fit, the profile's parameters, the comparison, and the explorer
// of one network. Every number comes from the core's view; this file formats.
import { describe, classics, editParams, shgoLevels } from './pkg/flash_nas.js';
import { app } from './page-state.js';
import { $, fmt, cellText, row, showError, showNotices, debounce } from './dom.js';
import { chartInto } from './charts.js';
import { ask } from './search-client.js';
import { edited, currentQuery } from './fields.js';

const shape = (s) => `${s.c}×${s.h}×${s.w}`;
const unitText = (v, unit, digits = 4) => (v === null || v === undefined ? '–' : `${Number(v.toPrecision(digits))} ${unit}`);

/** Points of accuracy with their sign ("+1.85 points"). */
const signedPoints = (fraction) => `${fraction >= 0 ? '+' : '−'}${Math.abs(100 * fraction).toFixed(2)} points`;

/** Whether the result ranks by the truth itself (the oracle: nothing is predicted). */
const sameAccuracy = (r) => r?.best?.metrics.accuracy === r?.best?.metrics.true_accuracy;

export function render(view) {
  $('link').value = location.href;
  const r = view.result;
  showError(null, $('result-error'), view.error ? `The search could not run: ${view.error}` : '');
  $('result-message').textContent = r ? `${r.feasible ? '' : 'Infeasible: '}${r.message}` : '';
  const b = r?.best;
  const m = b?.metrics;
  const acc = view.best?.accuracy;
  $('r-accuracy').textContent = m?.accuracy === null || m?.accuracy === undefined ? '– (NN-Degree ranks)'
    : acc ? `${acc.text}${acc.extrapolated ? ' (extrapolated)' : ''}` : m.accuracy.toFixed(4);
  $('r-accuracy').title = acc?.extrapolated ? `${acc.why}: the prediction extrapolates` : '';
  // NAS-Bench-201's truth beside the prediction, and the best the benchmark knows.
  const t = view.truth;
  $('r-truth-row').hidden = !t;
  $('r-optimum').hidden = !t;
  if (t) {
    const off = m?.accuracy != null && t.pick != null && !sameAccuracy(r) ? `The prediction is ${signedPoints(m.accuracy - t.pick)} off the truth. ` : '';
    $('r-truth').textContent = t.pick == null ? '–' : t.pick.toFixed(4);
    $('r-truth').title = `${t.column}. ${off}`;
    $('r-optimum').textContent = `Green: the true front, ${t.column}. ${off}` + (t.optimum == null
      ? 'By the truth, no network of the space meets the goal\'s limits.'
      : `The best network the benchmark knows under the same goal has true accuracy ${t.optimum.toFixed(4)}${t.regret == null ? '' : t.regret > 1e-9 ? `, ${t.regret.toFixed(2)} points above the result` : ': the result is that network'}: ${t.optimum_arch}.`);
  }
  $('r-degree').textContent = m ? m.nn_degree.toFixed(2) : '–';
  $('r-latency').textContent = m ? unitText(m.latency_s * 1e3, 'ms') : '–';
  $('r-energy').textContent = m ? unitText(m.energy_j * 1e3, 'mJ') : '–';
  $('r-area').textContent = m ? (m.area_mm2 > 0 ? unitText(m.area_mm2, 'mm²') : 'fixed silicon') : '–';
  // A CPU, GPU or TPU has fixed silicon: no area to show.
  $('r-area').parentElement.hidden = Boolean(m) && m.area_mm2 === 0;
  $('r-memory').textContent = m ? unitText(m.memory_bytes / 1048576, 'MiB') : '–';
  $('r-params').textContent = m ? fmt.format(m.params) : '–';
  $('r-macs').textContent = m ? fmt.format(m.macs) : '–';
  $('r-hardware').textContent = b ? b.hardware : '–';
  // One hardware configuration: the message and the hardware panel name it already.
  $('r-hardware').parentElement.hidden = Boolean(r) && r.hardware_configurations <= 1;
  // This search records its trace for the charts; the comparison times the same search without it.
  $('r-search').textContent = r ? `${r.solver}: ${fmt.format(r.evaluations)} evaluations, ${(1000 * r.seconds).toFixed(1)} ms` : '–';
  $('r-arch').textContent = b ? b.arch : '';
  $('binding').tBodies[0].replaceChildren(...(r?.binding ?? []).map((x) => row(x.limit, String(Number(x.value.toPrecision(5))), `${(100 * x.slack).toFixed(1)} %`, x.binds ? 'binds' : '')));
  chartInto($('diagram'), view.best ? { svg: view.best.diagram, points: [], alt: `The network ${b.arch}: its stem, cells and head, a box per layer, arcs for the reads that skip layers` } : null);
  chartInto($('pareto-chart'), view.pareto);
  $('pareto-note').textContent = view.pareto?.note ?? '';
  // A Pareto or min goal plots its own cost: the select shows it and waits.
  $('cost').disabled = Boolean(view.chart_cost);
  $('cost').value = view.chart_cost || app.state.cost;
  renderShgo(view.shgo, view.steps);
  chartInto($('layers-chart'), view.layers);
  $('layers-note').textContent = view.layers?.note ?? '';
  renderPredictor(view.predictor);
  // A link copied with its result's fingerprint whose result has changed since: said plainly.
  if (view.result_changed) showNotices([view.result_changed], 'This link shows another result than when it was copied:');
  const missing = view.notices.find((n) => n.field === 'own' && !n.value);
  if (missing) {
    showError(null, $('own-error'), missing.message);
    $('own-error').closest('details').open = true;
  }
  renderProfile(view.profile);
  $('cli-text').textContent = `${view.command}\n\n${b ? `# the network (docs/space.md text form)\n${b.arch}` : ''}`;
  const levels = shgoLevels(app.spaceSummary?.fields.cells.length ?? 0);
  const sel = $('shgo-level');
  if (sel.options.length !== levels.length) sel.replaceChildren(...levels.map((l) => new Option(l.label, l.value)));
  sel.value = app.shgoLevel;
  $('status').hidden = true;
}

export function renderShgo(chart, steps) {
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
    for (const id of ['fit-n', 'fit-model', 'fit-mae', 'fit-rank', 'fit-degree', 'fit-error-size']) $(id).textContent = '–';
    for (const id of ['fit-error-where', 'fit-share', 'fit-metrics-on']) $(id).textContent = '';
    $('fit-metrics').tBodies[0].replaceChildren();
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
  $('fit-error-size').textContent = `± ${num(p.uncertainty.mae, 3)}`;
  $('fit-error-where').textContent = `Error of a prediction: ${p.uncertainty.measured}.`;
  const s = p.share;
  $('fit-share').textContent = s ? `Of ${fmt.format(s.networks)} networks drawn uniformly from the space, ${(100 * s.at_ceiling).toFixed(1)} % are predicted at 99.9 % or more and ${(100 * s.extrapolated).toFixed(1)} % lie outside the samples' NN-Degree or parameter range (extrapolated).` : '';
  $('fit-metrics-on').textContent = `Rank agreement with test accuracy on ${p.metrics_on}`;
  $('fit-metrics').tBodies[0].replaceChildren(...p.metrics.map((x) => row(x.metric, num(x.spearman, 3), num(x.kendall, 3), num(x.top_quartile_spearman, 3), num(x.partial_spearman_given_params, 3))));
  $('provenance').textContent = [`source: ${p.source}`, ...p.provenance].join('\n');
  chartInto($('predictor-chart'), p.chart ? { svg: p.chart, points: [], alt: `Accuracy against NN-Degree of the ${p.rows} trained networks (${p.source}), with FLASH's log-degree fit; the shaded part of the axis is NN-Degrees of the space that no sample covers (predictions there extrapolate)` } : null);
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
    // Applies as typed, as every other field does (issue 39: only Enter or leaving it applied).
    input.addEventListener('input', debounce(() => onParamEdit(input), 10));
    td.append(input);
    tr.append(name, td, cellText('td', p.unit), cellText('td', p.source));
    return tr;
  }));
}

function onParamEdit(input) {
  try {
    // The core reads the typed text and checks it against the parameter's range.
    const params = editParams(currentQuery(), input.dataset.key, input.value);
    showError(input, $('params-error'), '');
    edited({ params });
  } catch (e) {
    showError(input, $('params-error'), String(e.message || e));
  }
}

export function showCompareStatus(text, clear = false) {
  $('compare-status').textContent = text;
  $('compare-cancel').hidden = true;
  if (clear) $('compare-table').tBodies[0].replaceChildren();
}

export function showCompareProgress(done, what, ms) {
  $('compare-status').textContent = `Baselines done. Exact optimum: ${Math.round(100 * done)} %, ${what} (${(ms / 1000).toFixed(1)} s).`;
}

export function renderCompare(c, ms, { pending = false } = {}) {
  const rows = c.rows.map((r) => row(
    r.solver,
    r.gap === null || r.gap === undefined ? '–' : `${(100 * r.gap).toFixed(2)} %`,
    scoreGap(r, c.score_error),
    fmt.format(r.evaluations),
    r.evaluations_to_near == null ? (r.gap == null ? '–' : 'never') : fmt.format(r.evaluations_to_near),
    `${(1000 * r.seconds).toFixed(1)} ms`,
    r.feasible ? 'yes' : 'no',
  ));
  $('compare-table').tBodies[0].replaceChildren(...rows);
  $('compare-cancel').hidden = !pending;
  if (pending) {
    $('compare-status').textContent = `Baselines done in ${(ms / 1000).toFixed(2)} s. The exact optimum is running (at most ${c.exact_seconds || 5} s here)…`;
    return;
  }
  // The certificate's summary is "exact", "exact within 0.30 %" or a bound with why it stopped.
  const summary = c.exact?.optimality?.summary;
  const proof = summary ? ` The exact method's answer: ${summary === 'exact' ? 'proven optimal' : summary}.` : '';
  $('compare-status').textContent = `${c.exact_message || 'Gaps against the exact optimum.'}${proof}${errorNote(c)} All solvers took ${(ms / 1000).toFixed(2)} s in this browser.`;
}

// A score gap, and for a predicted accuracy whether it is inside the predictor's mean error.
function scoreGap(r, error) {
  if (r.score_gap == null) return '–';
  const g = r.score_gap.toFixed(error ? 3 : 2);
  if (r.inside_error == null) return g;
  return `${g}, ${r.inside_error ? 'inside' : 'outside'} ±${error.toFixed(3)}`;
}

function errorNote(c) {
  if (!c.score_error) return '';
  const solvers = c.rows.filter((r) => r.solver !== 'exact' && r.inside_error != null);
  const inside = solvers.filter((r) => r.inside_error).length;
  return ` The predictor's accuracies are off by ${c.score_error.toFixed(3)} on average: ${inside} of ${solvers.length} answers are within that of the optimum, a difference this predictor cannot show.`;
}


export function wirePanels() {
  $('step-next').addEventListener('click', () => step(1));
  $('step-prev').addEventListener('click', () => step(-1));
  $('step-all').addEventListener('click', () => { app.step = null; renderShgo(app.view.shgo, app.view.steps); });
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

export function initExplorer() {
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
