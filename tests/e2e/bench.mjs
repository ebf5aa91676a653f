// Times the core in wasm (headless Chromium) on the same batches `cargo bench` uses.
import { serve, browser } from './harness.mjs';
import { readFileSync } from 'node:fs';

// The cases `flash search-bench` runs natively (written by its --cases-out).
const SEARCH_CASES = JSON.parse(readFileSync(new URL('../../benches/search-cases.json', import.meta.url)));
// SHGO's benchmark problems (the same specs tests/e2e/shgo-bench.mjs times natively too).
const SHGO_SPECS = JSON.parse(readFileSync(new URL('../../benches/shgo-wasm-specs.json', import.meta.url)));

// The networks scripts/bench.sh also times natively (flash hw measure).
const FORWARD_ARCHS = ['cifar10/dense/d4w32t10-d6w48t20-d3w16t0', 'cifar10/res(shortcut=pad)/d3w16-d3w32-d3w64', 'mnist/mobile/d2w16e6-d2w24e6'];

const { server, url } = await serve();
const context = await browser();
try {
  const page = await context.newPage();
  await page.goto(url);
  const result = await page.evaluate(async ([FORWARD, CASES, SHGO]) => {
    const wasm = await import('./www/pkg/flash_nas.js');
    await wasm.default();
    const batch = new wasm.Batch(wasm.spaceSummary('default').space, 42, 100000);
    const time = (f) => {
      f(); // warm up
      let best = Infinity;
      for (let r = 0; r < 7; r++) {
        const t0 = performance.now();
        for (let i = 0; i < 10; i++) f();
        best = Math.min(best, (performance.now() - t0) / 10);
      }
      return best; // ms per 100,000 architectures
    };
    // SHGO on the benchmark problems (benches/shgo-wasm-specs.json; tests/e2e/shgo-bench.mjs
    // times them against native, alternated).
    // The page's clock is coarse (0.1 ms), so whole batches of runs are timed.
    // V8 first runs wasm in its baseline compiler and moves hot functions to
    // the optimizing one as they run: a first batch of 200 ran 2-5x slower
    // than the next ones, so 400 runs warm up, and the best of 3 batches is kept.
    const shgo = SHGO.map((s) => {
      wasm.shgoRun({ ...s, repeats: 400 });
      let best = Infinity;
      let r;
      for (let k = 0; k < 3; k++) {
        const t0 = performance.now();
        r = wasm.shgoRun({ ...s, repeats: 200 });
        best = Math.min(best, (performance.now() - t0) / 200);
      }
      return { name: `${s.problem} ${s.sampling}`, ms: best, fun: r.fun, nfev: r.nfev };
    });
    // Hardware models on the same batch, and the forward-pass timer on three networks.
    const hardware = ['rram-imc', 'rpi4', 'edge-tpu'].map((p) => ({ name: p, ms: time(() => batch.hardwareCosts(p)) }));
    const forward = FORWARD.map((a) => ({ arch: a, ...wasm.hwMeasure(a, 9, 1) }));
    // The FLASH search on every benchmark case: median of 5 runs of the
    // search's own clock (performance.now through web-time).
    const search = CASES.map((c) => {
      const secs = [];
      let r;
      for (let i = 0; i < 6; i++) {
        r = wasm.searchRun({ profile: c.profile, goal: c.goal });
        if (i > 0) secs.push(r.seconds);
      }
      secs.sort((a, b) => a - b);
      return { ...c, ms: secs[2] * 1e3, evaluations: r.evaluations, arch: r.best?.arch };
    });
    return { search, degrees: time(() => batch.degrees()), totals: time(() => batch.degreesAndTotals()), shgo, hardware, forward, probe: wasm.hwProbe(), agent: navigator.userAgent };
  }, [FORWARD_ARCHS, SEARCH_CASES, SHGO_SPECS]);
  const rate = (ms) => (100000 / (ms / 1000)).toExponential(3);
  console.log(`wasm (${result.agent.match(/Chrome\/[\d.]+/)?.[0]})`);
  console.log(`nn_degree (closed form):     ${(result.degrees * 10).toFixed(2)} ns/arch  = ${rate(result.degrees)} /s`);
  console.log(`nn_degree + workload totals: ${(result.totals * 10).toFixed(2)} ns/arch  = ${rate(result.totals)} /s`);
  for (const r of result.hardware) {
    console.log(`hardware cost ${r.name}: ${(r.ms * 10).toFixed(2)} ns/arch  = ${rate(r.ms)} /s`);
  }
  console.log(`probe: gemm ${result.probe.gemm_gflops.toFixed(2)} GFLOP/s, copy ${result.probe.copy_gbs.toFixed(2)} GB/s`);
  for (const f of result.forward) {
    console.log(`forward ${f.arch}: median ${(f.median * 1e3).toFixed(3)} ms (min ${(f.min * 1e3).toFixed(3)}, max ${(f.max * 1e3).toFixed(3)}, 9 runs)`);
  }
  for (const r of result.shgo) {
    console.log(`shgo ${r.name}: ${r.ms.toFixed(4)} ms (mean of 200, best of 3 batches after 400 to warm up), f = ${r.fun}, nfev = ${r.nfev}`);
  }
  for (const r of result.search) {
    console.log(`search ${r.profile} ${r.goal}: ${r.ms.toFixed(3)} ms, ${r.evaluations} evaluations, ${r.arch}`);
  }
  const ms = result.search.map((r) => r.ms).sort((a, b) => a - b);
  console.log(`search (FLASH, wasm): median ${ms[Math.floor(ms.length / 2)].toFixed(3)} ms, slowest ${ms[ms.length - 1].toFixed(3)} ms over ${ms.length} cases`);
} finally {
  await context.close();
  server.close();
}
