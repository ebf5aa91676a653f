// The measurement worker: probes this browser's roofs and times forward passes
// of networks sampled from the space, off the page's thread. In: {space, n,
// seed}; out: {type: 'probe'|'timed'|'done'|'error', ...}. Cancel is the page
// terminating this worker. The timer lives in the trainer's module (www/pkg-train, the core with
// the trainer and the device exports), which a first visit does not download.
import init, { hwProbe, hwMeasure, sampleArchs } from './pkg-train/flash_nas.js';

self.onmessage = async ({ data }) => {
  try {
    await init();
    const probe = hwProbe();
    self.postMessage({ type: 'probe', probe });
    const archs = sampleArchs(data.space, data.n, data.seed);
    for (const [i, arch] of archs.entries()) {
      const t = hwMeasure(arch, 3, data.seed);
      self.postMessage({ type: 'timed', i, n: archs.length, arch, timing: t });
    }
    self.postMessage({ type: 'done' });
  } catch (e) {
    self.postMessage({ type: 'error', message: String(e?.message || e) });
  }
};
