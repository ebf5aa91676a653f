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
    return { degrees: time(() => batch.degrees()), totals: time(() => batch.degreesAndTotals()), agent: navigator.userAgent };
  });
  const rate = (ms) => (100000 / (ms / 1000)).toExponential(3);
  console.log(`wasm (${result.agent.match(/Chrome\/[\d.]+/)?.[0]})`);
  console.log(`nn_degree (closed form):     ${(result.degrees * 10).toFixed(2)} ns/arch  = ${rate(result.degrees)} /s`);
  console.log(`nn_degree + workload totals: ${(result.totals * 10).toFixed(2)} ns/arch  = ${rate(result.totals)} /s`);
} finally {
  await context.close();
  server.close();
}
