// Sharing and exporting: the link (copy, with a fallback without a clipboard),
// classroom links that hide panels, and the exports (result JSON, trace CSV,
// PyTorch, CLI text, charts as SVG or PNG).
import { app } from './page-state.js';
import { $ } from './dom.js';
import { download, downloadSvg, downloadPng } from './charts.js';
import { ask } from './search-client.js';
import { edited } from './fields.js';

function wireHidePanels() {
  const hide = $('hide-panels');
  const panels = app.schema.panels.map((p) => p.value);
  for (const p of app.schema.panels) {
    const label = document.createElement('label');
    const box = document.createElement('input');
    box.type = 'checkbox';
    box.value = p.value;
    box.addEventListener('change', () => edited({ hide: panels.filter((q) => hide.querySelector(`input[value="${q}"]`).checked) }));
    label.append(box, ` ${p.label}`);
    hide.append(label);
  }
}

function chartSvg() {
  const v = app.view;
  const shgo = document.querySelector('#shgo-chart svg');
  return {
    pareto: v.pareto?.svg,
    // The step mode's chart is the one on screen.
    shgo: shgo ? new XMLSerializer().serializeToString(shgo) : v.shgo?.svg,
    layers: v.layers?.svg,
    diagram: v.best?.diagram,
    predictor: v.predictor?.chart,
  }[$('export-chart').value];
}

function exportChart(as) {
  const s = chartSvg();
  const name = `flash-${$('export-chart').value}.${as}`;
  if (!s) {
    $('share-status').textContent = `There is no ${$('export-chart').selectedOptions[0].textContent} chart for this state to export.`;
    return;
  }
  if (as === 'svg') downloadSvg(name, s);
  else downloadPng(name, s, (why) => { $('share-status').textContent = `The PNG could not be drawn: ${why}; the SVG export works.`; });
}

export function wireShare() {
  wireHidePanels();
  $('copy-link').addEventListener('click', async () => {
    // The core adds the result's fingerprint (fp): a later version that finds another result
    // for the link says so instead of showing it silently.
    const shared = app.view ? `${location.href.split(/[?#]/)[0]}?${app.view.shared_link}` : location.href;
    $('link').value = shared;
    const fp = app.view ? ` with its result's fingerprint (fp=${app.view.fingerprint}): a later version that finds another result for it will say so` : '';
    try {
      if (!navigator.clipboard) throw new Error('no clipboard');
      await navigator.clipboard.writeText(shared);
      $('share-status').textContent = `The link is on the clipboard,${fp || ' as it is'}.`;
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
  $('export-svg').addEventListener('click', () => exportChart('svg'));
  $('export-png').addEventListener('click', () => exportChart('png'));
  $('own-download').addEventListener('click', () => { if (app.ownText) download('flash-own-samples.csv', app.ownText, 'text/csv'); });
}
