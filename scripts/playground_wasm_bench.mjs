// Times a link's whole playground view in wasm under node (no browser, no page): the search,
// its trace, the truth view in an nb201 space and the charts, as the search worker computes them.
// Usage: node scripts/playground_wasm_bench.mjs [PKG_DIR] [REPEATS]   (after scripts/build.sh;
// PKG_DIR defaults to www/pkg). Prints the median and the fastest of REPEATS (default 21) per link.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..');
const dir = resolve(process.argv[2] || `${root}/www/pkg`);
const repeats = Number(process.argv[3] || 21);
const core = await import(`${dir}/flash_nas.js`);
core.initSync({ module: readFileSync(`${dir}/flash_nas_bg.wasm`) });

const links = {
  "the build's first screen (firstScreen())": core.firstScreen ? core.firstScreen() : null,
  'digits lesson': 'v=1&space=digits%2Fdense%2Fcells%3D3%3Bd%3D2..11%3Bw%3D8..64%3A8%3Bt%3D0..49&profile=rpi4&samples=digits-flash&goal=max-accuracy%2Clatency%3C%3D0.25',
  'rpi4, default space': 'v=1&profile=rpi4&goal=max-accuracy%2Clatency%3C%3D2',
  'knobs (rram-imc)': 'v=1&profile=rram-imc&knobs=rows%2Bcols%3D64%2C128%3Badc_bits%3D4..6&goal=min-energy%2Clatency%3C%3D6',
};
for (const [name, link] of Object.entries(links)) {
  if (!link) continue;
  // A core without the nb201 family (an old build) has no nb201Missing: skip its links.
  if (core.nb201Missing) {
    for (const column of core.nb201Missing(link)) core.nb201Load(column, readFileSync(`${root}/data/nb201/${column}.csv`, 'utf8'));
  } else if (link.includes('nb201')) continue;
  const times = [];
  for (let i = 0; i < repeats; i++) {
    const start = performance.now();
    const p = new core.Playground(link);
    p.view();
    times.push(performance.now() - start);
    p.free();
  }
  times.sort((a, b) => a - b);
  console.log(`${name}: median ${times[times.length >> 1].toFixed(1)} ms, fastest ${times[0].toFixed(1)} ms (${repeats} runs)`);
}
