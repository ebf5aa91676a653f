// FLASH in wasm (headless Chromium) on the co-design suite's cases, beside the native times.
//   flash search-bench --suite codesign --half held-out --cases-out cases.json   (native)
//   node tests/e2e/codesign-bench.mjs cases.json                                 (wasm)
// Each case runs 3 times in the page; the median of the search's own clock is
// reported, as natively (search-bench's --repeats 3).
import { inPage, root } from './harness.mjs';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';

const path = process.argv[2];
if (!path) {
  console.error('usage: node tests/e2e/codesign-bench.mjs CASES.json (written by flash search-bench --suite codesign --cases-out)');
  process.exit(2);
}
const cases = JSON.parse(readFileSync(path, 'utf8')).map((c) => ({
  name: c.name, space: c.space, profile: c.profile, knobs: c.knobs, goal: c.goal, native_ms: c.flash_ms,
  samples_csv: c.samples ? readFileSync(resolve(root, c.samples), 'utf8') : null,
}));

const rows = await inPage(async (CASES) => {
  const wasm = await import('./www/pkg/flash_nas.js');
  await wasm.default();
  return CASES.map((c) => {
    const secs = [];
    let r;
    for (let i = 0; i < 3; i++) {
      r = wasm.searchRun({ space: c.space, profile: c.profile, knobs: c.knobs, goal: c.goal, samples_csv: c.samples_csv });
      secs.push(r.seconds);
    }
    secs.sort((a, b) => a - b);
    return { name: c.name, native_ms: c.native_ms, ms: secs[1] * 1e3 };
  });
}, cases);
for (const r of rows) {
  console.log(`${r.ms.toFixed(3).padStart(9)} ms wasm ${r.native_ms.toFixed(3).padStart(9)} ms native  ${r.name}`);
}
const median = (v) => { const s = [...v].sort((a, b) => a - b); return s[Math.floor(s.length / 2)]; };
const wasmMs = rows.map((r) => r.ms);
const ratio = rows.map((r) => r.ms / r.native_ms);
console.log(`FLASH over ${rows.length} cases: wasm median ${median(wasmMs).toFixed(3)} ms, slowest ${Math.max(...wasmMs).toFixed(3)} ms; native median ${median(rows.map((r) => r.native_ms)).toFixed(3)} ms; wasm/native median ${median(ratio).toFixed(2)}`);
