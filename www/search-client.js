// The search worker's client: sends a link's query to the worker, shows what
// comes back through `onView`, and keeps the page alive when the worker fails
// (panic, crash, silence) or a search runs long (Cancel). The comparison with
// the exact optimum runs in a second worker once typing pauses.
import { stateEncode } from './pkg/flash_nas.js';
import { app } from './page-state.js';
import { $, showFault } from './dom.js';
import { ownFile } from './predictor.js';

let worker = null;
let busy = false;
let compareWorker = null;
let nextId = 1;
let latestRun = 0;
let pendingQuery = null;
const waiting = new Map(); // id → resolve, for step and trace requests
let hooks = { onView: () => {}, onCompare: () => {}, onCompareStatus: () => {}, onCompareProgress: () => {} };

export function initSearchClient(callbacks) {
  hooks = callbacks;
  startWorker();
}

function startWorker() {
  worker = new Worker(new URL('./search-worker.js', import.meta.url), { type: 'module' });
  busy = false;
  worker.onmessage = ({ data }) => onWorkerMessage(data);
  worker.onerror = (e) => {
    e.preventDefault?.();
    workerFailed(`the search worker stopped (${e.message || 'it could not start'})`);
  };
}

function workerFailed(why) {
  disarm();
  worker?.terminate();
  startWorker();
  showFault(`${why}; it was restarted and your state is kept (link: ${location.href}).`);
  if (app.state) runSearch(stateEncode(app.state));
}

function onWorkerMessage(data) {
  if (data.type === 'error') {
    busy = false;
    disarm();
    const resolve = waiting.get(data.id);
    if (resolve) { waiting.delete(data.id); resolve(null); }
    // A panic leaves the core's memory in an unknown state: start a fresh worker.
    worker.terminate();
    startWorker();
    showFault(`The core failed on this state: ${data.message}. The worker was restarted and your state is kept; report it with this link: ${location.href}`);
    return;
  }
  if (data.type === 'run') {
    busy = false;
    disarm();
    if (data.id === latestRun) {
      app.view = data.view;
      app.step = null;
      hooks.onView(data.view);
      const t = performance.now() - (app.editedAt ?? performance.now());
      app.timings.push({ total: t, core: data.ms });
      document.body.dataset.runs = String(Number(document.body.dataset.runs || 0) + 1);
      runCompare(data.view.link);
    }
    if (pendingQuery !== null) {
      const q = pendingQuery;
      pendingQuery = null;
      runSearch(q);
    }
    return;
  }
  const resolve = waiting.get(data.id);
  if (resolve) { waiting.delete(data.id); resolve(data); }
}

/** Asks the worker about its last search (a step of the SHGO chart, the trace CSV). */
export function ask(message) {
  const id = nextId++;
  return new Promise((resolve) => {
    waiting.set(id, resolve);
    worker.postMessage({ id, ...message });
  });
}

/** Fault injection for the page's tests (tests/e2e): 'panic', 'crash', 'hang' or 'kill'. */
export function injectFault(fault) {
  if (fault === 'kill') {
    worker.terminate(); // dies without a word, as a killed worker does
    return;
  }
  worker.postMessage({ id: nextId++, type: 'fault', fault });
}

// A search that has not answered: after 400 ms the page offers Cancel; after
// app.watchdogMs it takes the worker for dead (killed, or stuck), starts a new
// one and sends the state again, once.
let watchdog = null;
let slow = null;
function arm(query) {
  clearTimeout(watchdog);
  clearTimeout(slow);
  slow = setTimeout(() => { $('search-running').hidden = false; }, 400);
  watchdog = setTimeout(() => {
    if (!busy) return;
    if (app.retried === query) {
      cancelSearch(`The search did not answer in ${app.watchdogMs / 1000} s twice; it was stopped`);
      return;
    }
    app.retried = query;
    workerFailed(`the search worker did not answer in ${app.watchdogMs / 1000} s`);
  }, app.watchdogMs);
}

function disarm() {
  clearTimeout(watchdog);
  clearTimeout(slow);
  $('search-running').hidden = true;
}

export function cancelSearch(why = 'Cancelled') {
  disarm();
  worker.terminate();
  startWorker();
  pendingQuery = null;
  showFault(`${why}: the results shown are from the last search that finished. Edit anything to search again.`);
}

// The person's cancel: the baselines stay; the exact method stops at once.
export function cancelCompare() {
  if (!compareWorker) return;
  compareWorker.terminate();
  compareWorker = null;
  hooks.onCompareStatus('Exact optimum cancelled: the gaps need it. Edit anything to compare again.');
}

export function runSearch(query) {
  clearTimeout(compareTimer);
  compareWorker?.terminate();
  compareWorker = null;
  if (busy) {
    // A long search (the exact solver, say) is stale now: stop it rather than queue behind it.
    if (performance.now() - app.sentAt > 150) {
      worker.terminate();
      startWorker();
    } else {
      pendingQuery = query;
      return;
    }
  }
  latestRun = nextId++;
  busy = true;
  app.sentAt = performance.now();
  arm(query);
  worker.postMessage({ id: latestRun, type: 'run', query, own: ownFile() });
}

let compareTimer = null;
// The comparison runs the exact optimum (up to seconds): it starts once typing
// pauses, so it never competes with the searches an edit asks for.
function runCompare(query) {
  clearTimeout(compareTimer);
  compareWorker?.terminate();
  compareWorker = null;
  if (app.state.hide.includes('compare')) return;
  hooks.onCompareStatus('The comparison starts when you stop editing…');
  compareTimer = setTimeout(() => startCompare(query), 600);
}

function startCompare(query) {
  hooks.onCompareStatus('Running FLASH and the baselines…', true);
  compareWorker = new Worker(new URL('./search-worker.js', import.meta.url), { type: 'module' });
  app.compareStarted = performance.now();
  compareWorker.onmessage = ({ data }) => {
    if (data.type === 'compare-baselines') {
      hooks.onCompare(data.comparison, data.ms, { pending: true });
      return;
    }
    if (data.type === 'compare-progress') {
      hooks.onCompareProgress(data.done, data.what, data.ms);
      return;
    }
    if (data.type === 'error') {
      hooks.onCompareStatus(`The comparison failed: ${data.message}`);
    } else {
      // How long the exact method kept the worker busy (the page's tests check its budget).
      document.body.dataset.compareExactMs = String(Math.round(data.exactMs));
      hooks.onCompare(data.comparison, data.ms, { pending: false });
    }
    compareWorker?.terminate();
    compareWorker = null;
  };
  compareWorker.onerror = (e) => {
    hooks.onCompareStatus(`The comparison worker stopped: ${e.message || 'unknown error'}`);
  };
  compareWorker.postMessage({ id: 0, type: 'compare', query, own: ownFile() });
}
