// SHGO in wasm against native on the same problems (issue 20: wasm within 1.5× of native;
// docs/benchmarks.md, "SHGO in wasm"). Usage: node tests/e2e/shgo-bench.mjs [ROUNDS] (default 5),
// after `bash scripts/build.sh` and `cargo build --release --bin flash`.
//
// The two sides are alternated, round by round, and each keeps its fastest round per problem,
// so a burst of load on a shared machine falls out instead of landing on one side. Natively a
// round is `flash shgo` with `repeats: 200` (the median of 200 timed solves); in headless
// Chromium it is one `shgoRun` of 200 repeats timed as a whole (the page's clock is 0.1 ms,
// coarser than one solve), after 400 to let V8 move the code to its optimizing compiler. A
// batch's mean is at least its median, so the ratio leans against wasm, if anything.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { serve, browser, root } from './harness.mjs';

const rounds = Number(process.argv[2] ?? 5);
if (!Number.isInteger(rounds) || rounds < 1 || rounds > 100) {
  console.error(`ROUNDS must be a whole number in 1..=100, got ${process.argv[2]}`);
  process.exit(2);
}
const SPECS = JSON.parse(readFileSync(new URL('../../benches/shgo-wasm-specs.json', import.meta.url)));
const name = (s) => `${s.problem} ${s.sampling}${s.n ? ` n = ${s.n}` : ''}`;

const native = () => {
  const out = execFileSync(`${root}/target/release/flash`, ['shgo'], {
    input: JSON.stringify(SPECS.map((s) => ({ ...s, repeats: 200 }))),
  });
  return JSON.parse(out).map((r) => ({ ms: r.seconds * 1e3, nfev: r.nfev, fun: r.fun }));
};

const { server, url } = await serve();
const context = await browser();
try {
  const page = await context.newPage();
  await page.goto(url);
  await page.evaluate(async () => {
    window.flashWasm = await import('./www/pkg/flash_nas.js');
    await window.flashWasm.default();
  });
  const wasm = () => page.evaluate((specs) => specs.map((s) => {
    const w = window.flashWasm;
    w.shgoRun({ ...s, repeats: 400 });
    const t0 = performance.now();
    const r = w.shgoRun({ ...s, repeats: 200 });
    return { ms: (performance.now() - t0) / 200, nfev: r.nfev, fun: r.fun };
  }), SPECS);
  const best = { native: SPECS.map(() => Infinity), wasm: SPECS.map(() => Infinity) };
  let last;
  for (let k = 0; k < rounds; k++) {
    last = { native: native(), wasm: await wasm() };
    for (const side of ['native', 'wasm']) {
      last[side].forEach((r, i) => { best[side][i] = Math.min(best[side][i], r.ms); });
    }
    process.stderr.write(`round ${k + 1} of ${rounds}\n`);
  }
  const agent = await page.evaluate(() => navigator.userAgent.match(/Chrome\/[\d.]+/)?.[0]);
  console.log(`SHGO, wasm (${agent}) against native, fastest of ${rounds} alternated rounds:`);
  console.log('| problem | wasm ms | native ms | wasm / native | nfev wasm / native |');
  console.log('|---|---|---|---|---|');
  let over = 0;
  SPECS.forEach((s, i) => {
    const ratio = best.wasm[i] / best.native[i];
    if (ratio > 1.5) over += 1;
    console.log(`| ${name(s)} | ${best.wasm[i].toFixed(4)} | ${best.native[i].toFixed(4)} | ${ratio.toFixed(2)} | ${last.wasm[i].nfev} / ${last.native[i].nfev} |`);
  });
  const sum = (a) => a.reduce((x, y) => x + y, 0);
  console.log(`all six: ${(sum(best.wasm) / sum(best.native)).toFixed(2)}× (total time); rows over 1.5×: ${over}`);
} finally {
  await context.close();
  server.close();
}
