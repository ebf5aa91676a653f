// What the page holds between events: the last valid state (what the link and
// the results show), the last view, and the schema of its controls. The core
// owns every value here; the page only keeps them.
export const app = {
  state: null, // the last valid state
  view: null, // the last search's view (Playground.view())
  schema: null, // what the controls offer (core `form::schema`)
  profiles: [],
  step: null, // null: the whole search; k: SHGO chart up to iteration k
  timings: [], // edit → results, ms (read by tests/e2e/bench)
  watchdogMs: 20000, // a search silent this long is taken for a dead worker
};
