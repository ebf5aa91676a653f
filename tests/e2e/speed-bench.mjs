// Issue 40's speed targets in headless Chromium (docs/benchmarks.md, "Instant: issue 40's
// targets"): every lesson link's search in wasm, the edits a person makes (a limit, a depth
// range, the profile, the seed, a knob) from the input event to the results on screen, and the
// first result after a cold load. Run after `scripts/build.sh` or, for the built site,
// `bash scripts/site.sh` then `FLASH_E2E_SITE=dist node tests/e2e/speed-bench.mjs`.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { root, serve, browser } from './harness.mjs';

const REPEATS = Number(process.env.REPEATS || 7);
const EDITS = Number(process.env.EDITS || 20);
const median = (v) => { const s = [...v].sort((a, b) => a - b); return s[Math.floor(s.length / 2)]; };
const p95 = (v) => { const s = [...v].sort((a, b) => a - b); return s[Math.min(s.length - 1, Math.ceil(0.95 * s.length) - 1)]; };
const f = (x) => x.toFixed(1);
const lessons = JSON.parse(await readFile(join(root, 'data/lessons.json'), 'utf8')).lessons;
const { server, url } = await serve();
const context = await browser();
const waitRun = (page, n) => page.waitForFunction((b) => Number(document.body.dataset.runs || 0) > b, n, { timeout: 60000 });
try {
  // Cold loads: a fresh browser context each time (no HTTP cache, no service worker).
  const cold = [];
  for (let i = 0; i < 3; i++) {
    const c = await browser();
    const page = await c.newPage();
    await page.goto(url);
    await page.waitForFunction(() => Number(document.body.dataset.runs || 0) >= 1, null, { timeout: 60000 });
    cold.push(await page.evaluate(() => performance.now()));
    // Where a cold load's time goes: when each large file arrived, and the worker's first search.
    const parts = await page.evaluate(() => [
      ...performance.getEntriesByType('resource').filter((e) => /\.(wasm|csv|js)$/.test(e.name))
        .map((e) => [e.name.split('/').pop(), Math.round(e.startTime), Math.round(e.responseEnd)]),
      ['first search in the worker (ms)', window.flashApp.timings[0]?.core ?? null],
      ['DOMContentLoaded', Math.round(performance.getEntriesByType('navigation')[0].domContentLoadedEventEnd)],
    ]);
    if (i === 0) console.log(`cold load parts (name, start ms, arrived ms): ${JSON.stringify(parts)}`);
    await c.close();
  }
  console.log(`cold load → first result, first screen (ms): median ${f(median(cold))}, max ${f(Math.max(...cold))} over ${cold.length} fresh contexts`);
  if (process.env.ONLY === 'cold') process.exit(0);

  const page = await context.newPage();
  await page.goto(`${url}?v=1`);
  await waitRun(page, 0);
  // Every lesson link's search (Playground::open: decode, samples, fit, search; no view) and
  // its view, in the page's wasm on the main thread, with the data files the link needs.
  const rows = await page.evaluate(async ({ links, repeats }) => {
    const core = await import('./www/pkg/flash_nas.js');
    const out = [];
    for (const { id, link } of links) {
      for (const name of core.nb201Missing(link)) {
        const r = await fetch(new URL(`data/nb201/${name}.csv`, document.baseURI));
        core.nb201Load(name, await r.text());
      }
      const search = [];
      const view = [];
      for (let i = 0; i < repeats; i++) {
        const t0 = performance.now();
        const pg = new core.Playground(link, undefined);
        const t1 = performance.now();
        pg.view();
        view.push(performance.now() - t1);
        search.push(t1 - t0);
        pg.free();
      }
      out.push({ id, search, view });
    }
    return out;
  }, { links: lessons.map((l) => ({ id: l.id, link: l.link })), repeats: REPEATS });
  console.log(`lesson links in wasm, median of ${REPEATS} (ms): search / view`);
  for (const r of rows) console.log(`  ${r.id.padEnd(18)} ${f(median(r.search)).padStart(7)} / ${f(median(r.view))}`);
  const over = rows.filter((r) => median(r.search) > 5).map((r) => r.id);
  console.log(`  ${rows.length - over.length} of ${rows.length} at most 5 ms${over.length ? ` (over: ${over.join(', ')})` : ''}`);

  // Edits: the input event to the results drawn (a MutationObserver on the result counter).
  const edit = async (query, apply, values) => {
    await page.goto(`${url}${query}`);
    await waitRun(page, 0);
    // Let the comparison worker of the first load start and settle as it would for a person.
    await page.waitForTimeout(1500);
    const times = [];
    for (const v of values) {
      times.push(await page.evaluate(apply, v));
      await page.waitForTimeout(700); // a person's pause: the comparison worker starts here
    }
    // The worker's share of each edit: its search and view (the rest is the page's own work,
    // the typing debounce, the round trip and drawing).
    workers.push(await page.evaluate((k) => window.flashApp.timings.slice(-k).map((t) => t.core), values.length));
    return times;
  };
  const workers = [];
  const input = (sel) => `(v) => new Promise((resolve) => {
      const n = Number(document.body.dataset.runs || 0);
      const t0 = performance.now();
      const obs = new MutationObserver(() => {
        if (Number(document.body.dataset.runs) > n) { obs.disconnect(); resolve(performance.now() - t0); }
      });
      obs.observe(document.body, { attributes: true, attributeFilter: ['data-runs'] });
      const el = ${sel};
      el.value = v;
      el.dispatchEvent(new Event(el.tagName === 'SELECT' ? 'change' : 'input', { bubbles: true }));
    })`;
  const n = EDITS;
  const range = (k, g) => Array.from({ length: k }, (_, i) => g(i));
  const edits = {
    'latency limit': await edit('?v=1&profile=rpi4&goal=max-accuracy%2Clatency%3C%3D5', eval(input(`document.getElementById('lim-latency')`)), range(n, (i) => String(4 + (i % 5) * 0.5))),
    'depth range': await edit('?v=1&profile=rpi4&goal=max-accuracy%2Clatency%3C%3D5', eval(input(`document.querySelector('#space-table tbody tr:first-child input[data-key="d"]')`)), range(n, (i) => `2..${3 + (i % 9)}`)),
    profile: await edit('?v=1&goal=max-accuracy%2Clatency%3C%3D5', eval(input(`document.getElementById('profile')`)), range(n, (i) => ['rpi4', 'jetson-nano', 'rram-imc', 'edge-tpu'][i % 4])),
    seed: await edit('?v=1&profile=rpi4&goal=max-accuracy%2Clatency%3C%3D5', eval(input(`document.getElementById('seed')`)), range(n, (i) => String(2 + i))),
    knob: await edit('?v=1&goal=min-edap%2Cdegree%3E%3D150&knobs=rows%2Bcols%3D64%2C128%2C256%3Badc_bits%3D4..8', eval(input(`document.getElementById('knobs')`)), range(n, (i) => [`rows+cols=64,128;adc_bits=4..8`, `rows+cols=64,128,256;adc_bits=4..8`][i % 2])),
    'first screen: seed': await edit('', eval(input(`document.getElementById('seed')`)), range(n, (i) => String(2 + i))),
  };
  const all = Object.values(edits).flat();
  console.log('edit → results on screen (ms): median, p95, max');
  for (const [i, [k, v]] of Object.entries(edits).entries()) console.log(`  ${k.padEnd(20)} ${f(median(v))}, ${f(p95(v))}, ${f(Math.max(...v))}; the worker's search and view: median ${f(median(workers[i]))}`);
  console.log(`  ${'all edits'.padEnd(20)} ${f(median(all))}, ${f(p95(all))}, ${f(Math.max(...all))} over ${all.length}`);
} finally {
  await context.close();
  server.close();
}
