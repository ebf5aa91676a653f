// Times the playground in headless Chromium: page load to the first result,
// and an edit (an input event in a field) to the updated results on screen,
// for the default space. Prints the figures docs/benchmarks.md records.
import { serve, browser } from './harness.mjs';

const { server, url } = await serve();
const context = await browser();
const median = (v) => { const s = [...v].sort((a, b) => a - b); return s[Math.floor(s.length / 2)]; };
const p95 = (v) => { const s = [...v].sort((a, b) => a - b); return s[Math.min(s.length - 1, Math.ceil(0.95 * s.length) - 1)]; };
try {
  const loads = [];
  const page = await context.newPage();
  for (let i = 0; i < 5; i++) {
    await page.goto(`${url}?v=1`);
    await page.waitForFunction(() => Number(document.body.dataset.runs || 0) >= 1, null, { timeout: 30000 });
    // Navigation start to the first search result on screen (the page is usable from then on).
    loads.push(await page.evaluate(() => performance.now()));
  }
  const edits = await page.evaluate(async () => {
    const edit = (find, value) => new Promise((resolve) => {
      const n = Number(document.body.dataset.runs || 0);
      const t0 = performance.now();
      const obs = new MutationObserver(() => {
        if (Number(document.body.dataset.runs) > n) { obs.disconnect(); resolve(performance.now() - t0); }
      });
      obs.observe(document.body, { attributes: true, attributeFilter: ['data-runs'] });
      const input = find();
      input.value = value;
      input.dispatchEvent(new Event('input', { bubbles: true }));
    });
    const out = { seed: [], range: [], core: [] };
    for (let i = 0; i < 30; i++) out.seed.push(await edit(() => document.getElementById('seed'), String(2 + i)));
    // The table is redrawn from the checked space after each edit: find the cell each time.
    const cell = () => document.querySelector('#space-table tbody tr:first-child input[data-key="d"]');
    for (let i = 0; i < 30; i++) out.range.push(await edit(cell, `2..${3 + (i % 9)}`));
    out.core = window.flashApp.timings.slice(-60).map((t) => t.core);
    return out;
  });
  const f = (x) => x.toFixed(1);
  console.log(`page load → first result (ms): median ${f(median(loads))}, max ${f(Math.max(...loads))} over ${loads.length} loads`);
  console.log(`edit → updated results, seed field (ms): median ${f(median(edits.seed))}, p95 ${f(p95(edits.seed))}, max ${f(Math.max(...edits.seed))} (includes the 40 ms typing debounce)`);
  console.log(`edit → updated results, a depth range (ms): median ${f(median(edits.range))}, p95 ${f(p95(edits.range))}, max ${f(Math.max(...edits.range))}`);
  console.log(`of which the search and the view in the worker (ms): median ${f(median(edits.core))}, max ${f(Math.max(...edits.core))}`);
} finally {
  await context.close();
  server.close();
}
