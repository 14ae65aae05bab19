// <async-demo lesson="…">: a thin custom element around the Rust `Widget`.
// Rust builds the DOM, runs the lesson and draws the results; this file only
// loads the wasm once per page (relative to this module's own URL, so any
// base path works) and forwards the element's life cycle to Rust.
import init, { Widget, sleep, setModuleBase } from "./pkg/async_demo.js";

const base = new URL(".", import.meta.url).href;
let ready = null;
const load = () =>
  (ready ??= init({ module_or_path: new URL("./pkg/async_demo_bg.wasm", import.meta.url) }).then(() =>
    setModuleBase(base),
  ));

// The JavaScript half of the bridge lesson: JS awaiting a Rust async fn.
// The widget shows this function's source, so keep it readable.
async function jsAwaitsRust(ms) {
  const waited = await sleep(ms); // a #[wasm_bindgen] pub async fn: a Promise here
  return `sleep(${ms}) resolved in JavaScript after ${waited.toFixed(0)} ms`;
}

const PARAMS = ["tasks", "delay-ms", "block-ms", "urls", "concurrency", "timeout-ms", "failures", "primes-below"];

class AsyncDemo extends HTMLElement {
  static observedAttributes = ["lesson", ...PARAMS];
  #widget = null;
  #mounting = null;

  connectedCallback() {
    this.#mount();
  }

  disconnectedCallback() {
    this.#unmount();
  }

  attributeChangedCallback(name, oldValue, newValue) {
    if (oldValue === newValue || !this.isConnected) return;
    if (name === "lesson") {
      this.#unmount();
      this.#mount();
    } else {
      this.#widget?.sync();
    }
  }

  /** Runs the lesson; resolves with the report. */
  async run() {
    const widget = await this.#mounted();
    return widget.run();
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
