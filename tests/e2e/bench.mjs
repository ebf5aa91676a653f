// Times the core in wasm (headless Chromium) on the same batches `cargo bench` uses.
import { serve, browser } from './harness.mjs';

const { server, url } = await serve();
const context = await browser();
try {
  const page = await context.newPage();
  await page.goto(url);
  const result = await page.evaluate(async () => {
    const wasm = await import('./www/pkg/flash_nas.js');
    await wasm.default();
    const batch = new wasm.Batch(wasm.defaultSpace(), 42, 100000);
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
    // SHGO on the benchmark problems (the same specs scripts/shgo_bench.py runs natively).
    const specs = [
      { problem: 't2', sampling: 'sobol', local: 'slsqp' },
      { problem: 't3_hs18', sampling: 'simplicial', n: 1, local: 'slsqp' },
      { problem: 't4_hs100', sampling: 'sobol', n: 1980, infty_constraints: false, local: 'slsqp' },
      { problem: 'eggholder', sampling: 'sobol', n: 60, local: 'slsqp' },
      { problem: 'rastrigin_2', sampling: 'sobol', local: 'slsqp' },
      { problem: 'hartmann6', sampling: 'simplicial', local: 'slsqp' },
    ];
    // The page's clock is coarse (0.1 ms), so whole batches of runs are timed.
    const shgo = specs.map((s) => {
      wasm.shgoRun(s); // warm up
      const t0 = performance.now();
      const r = wasm.shgoRun({ ...s, repeats: 200 });
      return { name: `${s.problem} ${s.sampling}`, ms: (performance.now() - t0) / 200, fun: r.fun, nfev: r.nfev };
    });
    return { degrees: time(() => batch.degrees()), totals: time(() => batch.degreesAndTotals()), shgo, agent: navigator.userAgent };
  });
  const rate = (ms) => (100000 / (ms / 1000)).toExponential(3);
  console.log(`wasm (${result.agent.match(/Chrome\/[\d.]+/)?.[0]})`);
  console.log(`nn_degree (closed form):     ${(result.degrees * 10).toFixed(2)} ns/arch  = ${rate(result.degrees)} /s`);
  console.log(`nn_degree + workload totals: ${(result.totals * 10).toFixed(2)} ns/arch  = ${rate(result.totals)} /s`);
  for (const r of result.shgo) {
    console.log(`shgo ${r.name}: ${r.ms.toFixed(3)} ms (mean of 200), f = ${r.fun}, nfev = ${r.nfev}`);
  }
} finally {
  await context.close();
  server.close();
}
