// <async-demo lesson="…">: a thin custom element around the Rust `Widget`.
// Rust builds the DOM, runs the lesson and draws the results; this file only
// loads the wasm once per page (relative to this module's own URL, so any
// base path works) and forwards the element's life cycle to Rust.
import init, { Widget, sleep, setModuleBase, onPanic } from "./pkg/async_demo.js";

const base = new URL(".", import.meta.url).href;
let ready = null;
// After a panic the wasm instance runs nothing more: every run() still
// waiting is rejected with the panic's sentence, and later ones at once.
let fatal = null;
const waiting = new Set();
const load = () =>
  (ready ??= init({ module_or_path: new URL("./pkg/async_demo_bg.wasm", import.meta.url) }).then(() => {
    setModuleBase(base);
    onPanic((message) => {
      fatal = new Error(message);
      for (const reject of waiting) reject(fatal);
      waiting.clear();
    });
  }));

// The JavaScript half of the bridge lesson: JS awaiting a Rust async fn.
// The widget shows this function's source, so keep it readable.
async function jsAwaitsRust(ms) {
  const waited = await sleep(ms); // a #[wasm_bindgen] pub async fn: a Promise here
  return `sleep(${ms}) resolved in JavaScript after ${waited.toFixed(0)} ms`;
}

class AsyncDemo extends HTMLElement {
  static observedAttributes = ["lesson"];
  #widget = null;
  #mounting = null;
  // Every other attribute is watched too, not only the ones lessons read:
  // the widget notes an attribute its lesson ignores (a typo such as
  // timout-ms must not pass silently). Rust knows which ones each lesson reads.
  #attributes = new MutationObserver((changes) => {
    if (changes.some((c) => c.attributeName !== "lesson" && c.attributeName !== "data-state")) this.#widget?.sync();
  });

  connectedCallback() {
    this.#attributes.observe(this, { attributes: true });
    this.#mount();
  }

  disconnectedCallback() {
    this.#attributes.disconnect();
    this.#unmount();
  }

  attributeChangedCallback(name, oldValue, newValue) {
    if (oldValue === newValue || !this.isConnected) return;
    this.#unmount();
    this.#mount();
  }

  /** Runs the lesson; resolves with the report. */
  async run() {
    const widget = await this.#mounted();
    if (fatal) throw fatal;
    return new Promise((resolve, reject) => {
      waiting.add(reject);
      widget
        .run()
        .then(resolve, reject)
        .finally(() => waiting.delete(reject));
    });
  }

  /** Stops the run in flight. */
  cancel() {
    this.#widget?.cancel();
  }

  /** The last run as Chrome Trace Event JSON (opens in Perfetto), or null. */
  trace() {
    return this.#widget ? this.#widget.trace() : null;
  }

  /** The last run's report, or null. */
  report() {
    return this.#widget ? this.#widget.report() : null;
  }

  async #mounted() {
    if (!this.#widget) await (this.#mounting ?? this.#mount());
    if (!this.#widget) throw new Error("async-demo: the widget is not on the page");
    return this.#widget;
  }

  #mount() {
    const root = this.shadowRoot ?? this.attachShadow({ mode: "open" });
    this.setAttribute("data-state", this.getAttribute("data-state") ?? "idle");
    const mounting = load()
      .then(() => {
        if (!this.isConnected || this.#mounting !== mounting) return;
        this.#widget = new Widget(this, root, base, jsAwaitsRust);
        if (this.hasAttribute("autorun")) this.#widget.run().catch(() => {});
      })
      .catch((error) => {
        this.setAttribute("data-state", "error");
        root.textContent = `async-demo could not start: ${error?.message ?? error}`;
      });
    this.#mounting = mounting;
    return mounting;
  }

  #unmount() {
    this.#mounting = null;
    const widget = this.#widget;
    this.#widget = null;
    if (widget) {
      widget.destroy();
      widget.free();
    }
  }
}

if (!customElements.get("async-demo")) customElements.define("async-demo", AsyncDemo);
