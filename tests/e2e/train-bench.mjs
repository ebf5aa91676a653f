// Times training one network in wasm (headless Chromium, the trainer wasm on the
// page's thread) for the networks scripts/bench.sh also trains natively.
import { inPage } from './harness.mjs';

export const TRAIN_ARCHS = ['digits/dense/d2w8t4-d2w8t4', 'digits/dense/d4w16t12-d3w16t8', 'digits/dense/d6w32t24-d6w32t24'];

const rows = await inPage(async (archs) => {
  const m = await import('./www/pkg-train/flash_nas.js');
  await m.default();
  const bytes = new Uint8Array(await (await fetch('data/datasets/digits.csv.gz')).arrayBuffer());
  const trainer = new m.DigitsTrainer(bytes);
  return archs.map((a) => trainer.train(a, m.DigitsTrainer.defaultEpochs(), 1, () => true));
}, TRAIN_ARCHS);
console.log('training one network on digits in wasm (3 epochs, seed 1):');
for (const r of rows) {
  console.log(`  ${r.arch}: ${r.seconds.toFixed(2)} s, test accuracy ${r.test_accuracy.toFixed(4)}, loss ${r.train_loss.toFixed(6)}`);
}
