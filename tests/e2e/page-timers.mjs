// Runs in the page, before its scripts (an init script in Chromium and in
// Firefox): records every setTimeout and clearTimeout into window.__timers,
// so that a test can tell which timers a cancel cleared and whether any of
// them fired afterwards.
export function instrumentTimers() {
  const timers = new Map();
  const { setTimeout: set, clearTimeout: clear } = window;
  window.setTimeout = function (fn, ms = 0, ...args) {
    const record = { created: performance.now(), due: performance.now() + Number(ms), cleared: false, fired: null };
    const id = set.call(window, (...a) => {
      record.fired = performance.now();
      return typeof fn === "function" ? fn(...a) : undefined;
    }, ms, ...args);
    timers.set(id, record);
    return id;
  };
  window.clearTimeout = function (id) {
    const record = timers.get(id);
    if (record) record.cleared = true;
    return clear.call(window, id);
  };
  window.__timers = timers;
}
