// The page's entry: starts the wasm core, builds the controls from its schema,
// decodes the link, and wires the modules together. Every file under www/ is
// named for what it does: fields.js (controls ↔ state), search-client.js (the
// search worker), panels.js (what a search shows), share.js (link and exports),
// predictor.js and hardware.js (own samples, training, measurement and
// calibration), lessons.js (the Learn guide), charts.js (SVG charts). The core computes every number and owns
// every grammar, default and range; the page converts and displays.
import init, {
  schema, hwProfiles, stateDecode, stateEncode, ownSamples, firstScreen,
} from './pkg/flash_nas.js';
import { app } from './page-state.js';
import { $, showError, showNotices } from './dom.js';
import { buildControls, fillControls, wireFields, edited, currentQuery } from './fields.js';
import { initSearchClient, runSearch, cancelSearch, cancelCompare, injectFault } from './search-client.js';
import { render, renderCompare, showCompareStatus, showCompareProgress, wirePanels, initExplorer } from './panels.js';
import { wireShare } from './share.js';
import { initPredictor } from './predictor.js';
import { initHardware } from './hardware.js';
import { initLessons } from './lessons.js';

app.injectFault = injectFault;

async function main() {
  await init();
  app.schema = schema();
  buildControls(app.schema);
  app.profiles = hwProfiles();
  for (const p of app.profiles) $('profile').append(new Option(`${p.name}: ${p.title}`, p.name));
  // A second profile's front on the Pareto chart (the state's `vs`; empty: none).
  $('vs').append(new Option('no other profile', ''));
  for (const p of app.profiles) $('vs').append(new Option(p.name, p.name));
  // A link decodes to its state; a visit without one opens the core's first screen.
  const query = location.search.length > 1 ? location.search : location.hash;
  const decoded = stateDecode(query.length > 1 ? query : firstScreen());
  app.state = decoded.state;
  if (decoded.notices.length) showNotices(decoded.notices, 'This link had values that could not be used; the defaults are used for them:');
  wireFields();
  wirePanels();
  wireShare();
  $('search-cancel').addEventListener('click', () => cancelSearch());
  $('compare-cancel').addEventListener('click', () => cancelCompare());
  fillControls(app.state);
  history.replaceState(null, '', `?${stateEncode(app.state)}`);
  $('link').value = location.href;
  initExplorer();
  initPredictor({ app, edited, currentQuery, ownSamples, showError, rerun: () => { app.editedAt = performance.now(); runSearch(stateEncode(app.state)); } });
  initHardware({ app, edited, currentQuery, showError });
  initSearchClient({ onView: (view) => { render(view); keepOffline(); }, onCompare: renderCompare, onCompareStatus: showCompareStatus, onCompareProgress: showCompareProgress });
  app.editedAt = performance.now();
  runSearch(stateEncode(app.state));
  initLessons();
}

// Offline after the first visit: the built site (scripts/site.sh marks its index.html with the
// build) registers sw.js once the first result is on screen, so its precache never competes with
// the first search. Served from the repository (a developer's page) there is no service worker.
let offlineAsked = false;
function keepOffline() {
  const build = document.querySelector('meta[name="flash-build"]')?.content;
  if (offlineAsked || !build || !('serviceWorker' in navigator)) return;
  offlineAsked = true;
  navigator.serviceWorker.register('sw.js').catch(() => { /* no offline copy: the page works the same */ });
}

window.flashApp = app;
main().catch((e) => {
  const status = $('status');
  status.hidden = false;
  status.classList.add('error');
  status.textContent = `The WebAssembly core could not start: ${e.message || e}. Build it with scripts/build.sh.`;
});
