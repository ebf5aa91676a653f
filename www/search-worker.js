// The search worker: runs a link's search in the wasm core off the page's
// thread, so typing never stalls. It keeps the last search for the step mode
// and the exports. Messages in: {id, type: 'run', query, own} | {id, type:
// 'step', step} | {id, type: 'trace'} | {id, type: 'compare', query, own}; out:
// {id, type, ...result} or {id, type: 'error', message} (a panic's own message). A comparison
// posts 'compare-baselines' first, then 'compare-progress' while the exact method runs (within
// the core's budget), then 'compare'. The page terminates and restarts this worker when an edit
// arrives during a long search, or when the person cancels the comparison.
import init, * as core from './pkg/flash_nas.js';

const { Playground, lastPanic } = core;

const ready = init();
let last = null;

// NAS-Bench-201's columns a link reads, fetched the first time one is needed
// (a visit to another space never downloads them) and checked by the core.
async function loadColumns(query) {
  for (const name of core.nb201Missing(query)) {
    const response = await fetch(new URL(`../data/nb201/${name}.csv`, import.meta.url));
    if (!response.ok) throw new Error(`cannot load data/nb201/${name}.csv (HTTP ${response.status})`);
    core.nb201Load(name, await response.text());
  }
}

self.onmessage = async ({ data }) => {
  const { id, type } = data;
  try {
    await ready;
    if (type === 'run') {
      const start = performance.now();
      await loadColumns(data.query);
      last?.free();
      last = null;
      last = new Playground(data.query, data.own ?? undefined);
      const view = last.view();
      self.postMessage({ id, type, view, ms: performance.now() - start });
    } else if (type === 'step') {
      self.postMessage({ id, type, chart: last ? last.shgoStep(data.step) : null });
    } else if (type === 'trace') {
      self.postMessage({ id, type, csv: last ? last.traceCsv() : '' });
    } else if (type === 'fault') {
      // Fault injection (the page's tests): a panic in the core, or the worker dying.
      // The panic hook exists only in the test build (cargo feature test-hooks).
      if (data.fault === 'panic') {
        if (!core.faultPanic) throw new Error('fault injection is only in the test build');
        core.faultPanic('a panic');
      }
      if (data.fault === 'crash') setTimeout(() => { throw new Error('fault injected: the worker crashed'); });
      if (data.fault === 'hang') { const end = Date.now() + 60000; while (Date.now() < end) { /* a search that never answers */ } }
    } else if (type === 'compare') {
      const start = performance.now();
      await loadColumns(data.query);
      const pg = new Playground(data.query, data.own ?? undefined);
      try {
        const baselines = pg.compareBaselines();
        self.postMessage({ id, type: 'compare-baselines', comparison: baselines, ms: performance.now() - start });
        const exactStart = performance.now();
        let posted = 0;
        const comparison = pg.compareExact((done, what) => {
          const now = performance.now();
          if (now - posted < 250) return;
          posted = now;
          self.postMessage({ id, type: 'compare-progress', done, what, ms: now - exactStart });
        });
        const end = performance.now();
        self.postMessage({ id, type, comparison, ms: end - start, exactMs: end - exactStart });
      } finally {
        pg.free();
      }
    }
  } catch (e) {
    // A panic in the core arrives here as a RuntimeError: the page reports it and restarts us.
    let panic = '';
    try { panic = lastPanic(); } catch { /* the core may be unusable after a panic */ }
    self.postMessage({ id, type: 'error', message: panic || String(e?.message || e), stack: String(e?.stack || '') });
  }
};
