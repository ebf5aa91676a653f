// The page: reads fields, calls the wasm core, writes text into the DOM.
// It computes no model numbers itself and never inserts text as HTML.
import init, { describe, spaceSummary, defaultSpace, classics } from './pkg/flash_nas.js';
import { initPredictor } from './predictor.js';

const $ = (id) => document.getElementById(id);
const fmt = new Intl.NumberFormat('en-US');
const shape = (s) => `${s.c}×${s.h}×${s.w}`;

function showError(input, box, message) {
  input.setAttribute('aria-invalid', message ? 'true' : 'false');
  box.hidden = !message;
  box.textContent = message || '';
}

function cellText(tag, text) {
  const td = document.createElement(tag);
  td.textContent = text;
  return td;
}

function renderArch() {
  const input = $('arch');
  let d;
  try {
    d = describe(input.value);
  } catch (e) {
    // Keep the last valid result on screen, dimmed, and say what is wrong.
    showError(input, $('arch-error'), String(e.message || e));
    $('metrics').classList.add('stale');
    return;
  }
  showError(input, $('arch-error'), '');
  $('metrics').classList.remove('stale');
  $('nn-degree').textContent = d.nn_degree.toFixed(3);
  $('cell-degrees').textContent = d.cells.map((c) => c.degree.toFixed(2)).join(' + ');
  $('params').textContent = fmt.format(d.totals.params);
  $('macs').textContent = fmt.format(d.totals.macs);
  $('layer-count').textContent = String(d.totals.layers);
  const rows = d.layers.map((l) => {
    const tr = document.createElement('tr');
    tr.append(cellText('td', l.name), cellText('td', l.kind), cellText('td', shape(l.input)),
      cellText('td', shape(l.output)), cellText('td', fmt.format(l.params)), cellText('td', fmt.format(l.macs)));
    return tr;
  });
  $('layers').tBodies[0].replaceChildren(...rows);
}

function renderSpace() {
  const input = $('space');
  try {
    const s = spaceSummary(input.value);
    showError(input, $('space-error'), '');
    $('count').textContent = fmt.format(BigInt(s.count));
    $('count').title = s.count_approx;
    $('count-detail').textContent = `${s.per_cell.join(' × ')} — a configuration is ${s.configuration}.`;
  } catch (e) {
    showError(input, $('space-error'), String(e.message || e));
  }
}

async function main() {
  await init();
  const select = $('examples');
  select.append(new Option('(your own)', ''));
  for (const [name, text] of classics()) {
    select.append(new Option(name, text));
  }
  select.addEventListener('change', () => {
    if (select.value) { $('arch').value = select.value; renderArch(); }
  });
  // The picker names a classic only while the field still holds it.
  const syncPicker = () => {
    const match = [...select.options].find((o) => o.value && o.value === $('arch').value.trim());
    select.value = match ? match.value : '';
  };
  $('arch').addEventListener('input', syncPicker);
  $('arch').value = select.options[1].value;
  syncPicker();
  $('space').value = defaultSpace();
  $('arch').addEventListener('input', renderArch);
  $('space').addEventListener('input', renderSpace);
  renderArch();
  renderSpace();
  await initPredictor();
  $('status').hidden = true;
}

main().catch((e) => {
  const status = $('status');
  status.classList.add('error');
  status.textContent = `The WebAssembly core could not start: ${e.message || e}. Build it with scripts/build.sh.`;
});
