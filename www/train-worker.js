// The training worker: loads the trainer wasm (www/pkg-train) only when someone
// trains, so the page's own wasm stays small. Messages in: {k, seed, space} (the space on
// screen, from the core's trainingPlan; the shipped digits space without one); out: {type: 'start'|'progress'|'row'|'done'|'error', ...}. Cancelling
// is the page terminating this worker: training never blocks the page.
import init, { DigitsTrainer } from './pkg-train/flash_nas.js';

let trainer = null;

async function ready() {
  if (trainer) return trainer;
  await init();
  const response = await fetch(new URL('../data/datasets/digits.csv.gz', import.meta.url));
  if (!response.ok) throw new Error(`cannot load data/datasets/digits.csv.gz (HTTP ${response.status})`);
  trainer = new DigitsTrainer(new Uint8Array(await response.arrayBuffer()));
  return trainer;
}

self.onmessage = async (event) => {
  const { k, seed, space } = event.data;
  try {
    const t = await ready();
    const archs = t.sample(space || DigitsTrainer.defaultSpace(), k, seed);
    const epochs = DigitsTrainer.defaultEpochs();
    postMessage({ type: 'start', archs });
    for (let i = 0; i < archs.length; i += 1) {
      const started = performance.now();
      let last = 0;
      const row = t.train(archs[i], epochs, seed, (p) => {
        // A message every ~100 ms is plenty for a progress bar.
        const now = performance.now();
        if (now - last > 100 || p.step === p.steps) {
          last = now;
          postMessage({ type: 'progress', i, arch: archs[i], ...p });
        }
        return true;
      });
      postMessage({ type: 'row', i, row, ms: performance.now() - started });
    }
    postMessage({ type: 'done' });
  } catch (e) {
    postMessage({ type: 'error', message: String(e.message || e) });
  }
};
