// <async-demo lesson="…">: a thin custom element around the Rust `Widget`.
// Rust builds the DOM, runs the lesson and draws the results; this file only
// loads the wasm once per page (relative to this module's own URL, so any
// base path works) and forwards the element's life cycle to Rust.
//
// A widget that arrives pre-rendered (a declarative shadow root written into
// the page by `cargo xtask dist`) is readable and shows its controls before
// any wasm: the wasm is loaded when the widget comes near the viewport or is
// touched, whichever is first, and Rust then adopts that DOM as it stands
// (the same markup, rendered by the same Rust), replaying a click that came
// too early.

// The bridge lesson's Rust async fn, from the first build loaded.
let sleep;

const base = new URL(".", import.meta.url).href;

// On a static host (the folder `cargo xtask dist` writes) no server answers
// the lessons' `async-demo-api/` URLs: the Service Worker `sw.js`, next to this module,
// answers them inside the browser. `cargo xtask dist` turns this on; the dev
// server answers them itself, so there it stays off.
const SERVICE_WORKER = false;

/**
 * Resolves once the lessons' `async-demo-api/` URLs can be answered: with null when they
 * can (a server, or the Service Worker in control of this page), else with the
 * sentence that says why not and what to do. Widgets mount after it settles,
 * so that no first run races the worker's installation. A page that imports
 * `pkg/async_demo.js` itself (fetchAll, runLesson) can await it too.
 */
export const apiReady = SERVICE_WORKER ? startServiceWorker() : Promise.resolve(null);

async function startServiceWorker() {
  const script = new URL("./sw.js", import.meta.url).href;
  const cannot = (why) =>
    `The lessons' default async-demo-api/ URLs cannot be answered on this page because ${why}; give this widget urls that exist on your host (the urls attribute).`;
  if (location.protocol === "file:") return cannot("it was opened as a file (file://), which cannot run a Service Worker: serve the folder over http(s) instead");
  if (!("serviceWorker" in navigator)) return cannot("this browser offers no Service Worker here (it needs https or localhost, and no private window that disables them)");
  if (!location.href.startsWith(base)) return cannot(`the page lies outside ${base}, the only place the widget's Service Worker may serve`);
  const workers = navigator.serviceWorker;
  const isOurs = (registration) =>
    [registration.active, registration.waiting, registration.installing].some((w) => w?.scriptURL === script);
  const ours = () => workers.controller?.scriptURL === script;
  // A guest never takes a page from the host's own worker: not by
  // registering over it (same scope), nor by a narrower scope of its own.
  // Where the host has one for this page, the widget's worker steps aside
  // (an earlier visit's registration of ours is removed) and says so.
  let registrations;
  try {
    registrations = await workers.getRegistrations();
  } catch (error) {
    return cannot(`the browser refused to list its Service Workers (${error?.message ?? error})`);
  }
  const hosts = registrations.filter((r) => !isOurs(r) && location.href.startsWith(r.scope));
  const controller = workers.controller && !ours() ? workers.controller.scriptURL : null;
  if (hosts.length || controller) {
    await Promise.all(registrations.filter(isOurs).map((r) => r.unregister().catch(() => false)));
    const theirs = controller ?? hosts[0].active?.scriptURL ?? hosts[0].scope;
    return cannot(`the site has a Service Worker of its own for this page (${theirs}), which the widget's worker does not replace`);
  }
  try {
    await workers.register(script, { updateViaCache: "none" });
  } catch (error) {
    return cannot(`the browser refused its Service Worker (${error?.message ?? error})`);
  }
  if (ours()) return null;
  // First visit: the worker installs, activates and claims this page. After a
  // hard reload, which bypasses it, it is asked to claim the page.
  const controlled = new Promise((resolve) => {
    const check = () => ours() && resolve(true);
    workers.addEventListener("controllerchange", check);
    workers.ready.then((registration) => {
      if (!ours()) registration.active?.postMessage("claim");
      check();
    });
  });
  const seconds = 10;
  const late = new Promise((resolve) => setTimeout(() => resolve(false), seconds * 1000));
  return (await Promise.race([controlled, late]))
    ? null
    : cannot(`its Service Worker did not take control of the page within ${seconds} s (reload the page to try again)`);
}

let apiProblem = null;

// Two builds of the same Rust, each imported when the first widget needs
// it: pkg/ has the lessons; pkg-sandbox/ has the lessons and the sandbox
// (its parser, checker, interpreter and twin writers, some 100 KB more
// gzipped), loaded only on a page that has a lesson="sandbox" widget. There
// it serves every widget mounted after it, so that such a page (the
// playground) loads one module, not two.
const builds = {};
function build(name) {
  const found = builds[name];
  if (found) return found;
  // After a panic a wasm instance runs nothing more: every run() of its
  // widgets still waiting is rejected with the panic's sentence, and later
  // ones at once.
  const made = { exports: null, fatal: null, waiting: new Set() };
  // Static strings, so that bundlers (Vite, webpack) see both.
  const imported = name === "sandbox" ? import("./pkg-sandbox/async_demo.js") : import("./pkg/async_demo.js");
  const wasm = name === "sandbox" ? "./pkg-sandbox/async_demo_bg.wasm" : "./pkg/async_demo_bg.wasm";
  made.ready = imported
    .then(async (module) => {
      await module.default({ module_or_path: new URL(wasm, import.meta.url) });
      module.setModuleBase(base);
      module.setServedByWorker(SERVICE_WORKER);
      module.onPanic((message) => {
        made.fatal = new Error(message);
        for (const reject of made.waiting) reject(made.fatal);
        made.waiting.clear();
      });
      sleep ??= module.sleep;
      made.exports = module;
    })
    .then(() => apiReady)
    .then((problem) => {
      apiProblem = problem;
      return made;
    });
  // A failed import may be tried again by the next widget.
  made.ready.catch(() => {
    if (builds[name] === made) delete builds[name];
  });
  return (builds[name] = made);
}

/**
 * `value`, a task later: each widget is made in a task of its own once its
 * build is ready, since a page's sixteen made in one task would hold the
 * page for all of them at once (Lighthouse's total blocking time).
 */
function ownTask(value) {
  return new Promise((resolve) => setTimeout(() => resolve(value)));
}

/** The build a widget of `lesson` mounts on. */
function buildFor(lesson) {
  const sandbox = lesson === "sandbox" || builds.sandbox || document.querySelector('async-demo[lesson="sandbox"]');
  return build(sandbox ? "sandbox" : "lessons");
}

// The JavaScript half of the bridge lesson: JS awaiting a Rust async fn.
// The widget shows this function's source, so keep it readable.
async function jsAwaitsRust(ms) {
  const waited = await sleep(ms); // a #[wasm_bindgen] pub async fn: a Promise here
  return `sleep(${ms}) resolved in JavaScript after ${waited.toFixed(0)} ms`;
}

// A Promise from a build's wasm that also rejects if its instance panics first.
function settled(made, promise) {
  if (made.fatal) return Promise.reject(made.fatal);
  return new Promise((resolve, reject) => {
    made.waiting.add(reject);
    promise.then(resolve, reject).finally(() => made.waiting.delete(reject));
  });
}

// Until the wasm arrives, a widget holds its place: its stylesheet (which
// Rust keeps when it builds the widget) and a box as tall as the viewport, up
// to 850 px. Every lesson's widget is taller than that at any width, so the
// widget only grows below the fold, and what follows it on the page was out
// of view already: nothing the reader sees moves (no layout shift).
function placeholder(root) {
  const link = document.createElement("link");
  link.rel = "stylesheet";
  link.href = new URL("./async-demo.css", import.meta.url).href;
  const box = document.createElement("p");
  box.className = "placeholder";
  box.textContent = "Loading the lesson…";
  box.style.minHeight = "min(100vh, 850px)"; // CSSOM, so a strict CSP allows it
  box.style.margin = "0";
  root.append(link, box);
}

// Light or dark, as the page around each widget is: the colour of the text
// around it, against the background behind it, decides (light text is a
// dark page), so a site's own switch
// works whatever it sets (MkDocs Material's data-md-color-scheme on <body>,
// VitePress's class on <html>, Docusaurus's and Furo's data-theme, mdBook's
// theme classes), and so does the system's. The widget's data-scheme
// attribute says which; its canvas is redrawn in the new colours.

// Each connected widget, with what makes it follow.
const widgets = new Map();
// A 1×1 canvas that turns any CSS colour into bytes.
let probe = null;
// The scheme around each parent of a widget, until the page changes.
let schemes = null;

/** The sRGB bytes of any CSS colour the browser computed (rgb(), oklch(), color()…). */
function bytesOf(color) {
  probe ??= document.createElement("canvas").getContext("2d", { willReadFrequently: true });
  probe.clearRect(0, 0, 1, 1);
  probe.fillStyle = "#000";
  probe.fillStyle = color;
  probe.fillRect(0, 0, 1, 1);
  return probe.getImageData(0, 0, 1, 1).data;
}

/** The relative luminance of a CSS colour (0 black, 1 white), and its alpha (0 to 255). */
function luminance(color) {
  const [r, g, b, alpha] = bytesOf(color);
  const linear = (byte) => {
    const c = byte / 255;
    return c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  };
  return { light: 0.2126 * linear(r) + 0.7152 * linear(g) + 0.0722 * linear(b), alpha };
}

/**
 * "dark" where the text around `el` is lighter than the background behind it
 * (the first one up the tree that is not transparent), else "light"; with no
 * background anywhere, where that text is light.
 */
function schemeAround(el) {
  const up = (node) => node.parentElement ?? node.getRootNode().host ?? null;
  const around = up(el);
  if (!around) return matchMedia("(prefers-color-scheme: dark)").matches ? "dark" : "light";
  // Widgets side by side share the answer until the page changes (a page of
  // a thousand widgets reads its colours once, not a thousand times).
  if (!schemes) {
    schemes = new Map();
    setTimeout(() => (schemes = null));
  }
  if (!schemes.has(around)) schemes.set(around, readScheme(around, up));
  return schemes.get(around);
}

/** What `schemeAround` says for a widget inside `around`. */
function readScheme(around, up) {
  const text = luminance(getComputedStyle(around).color).light;
  for (let node = around; node; node = up(node)) {
    const background = luminance(getComputedStyle(node).backgroundColor);
    if (background.alpha > 127) return text > background.light ? "dark" : "light";
  }
  return text > 0.2 ? "dark" : "light";
}

/** Sets each widget's scheme where the page's has changed. */
function followScheme() {
  schemes = null;
  for (const follow of widgets.values()) follow();
}

let followed = null;
/** Watches the page's switches (attributes of <html> and <body>) and the system's, once. */
function watchScheme() {
  if (followed) return;
  let queued = false;
  const soon = () => {
    if (queued) return;
    queued = true;
    requestAnimationFrame(() => {
      queued = false;
      followScheme();
      // A theme that fades its colours in is read again once it has.
      setTimeout(followScheme, 400);
    });
  };
  followed = new MutationObserver(soon);
  followed.observe(document.documentElement, { attributes: true });
  if (document.body) followed.observe(document.body, { attributes: true });
  else document.addEventListener("DOMContentLoaded", () => followed.observe(document.body, { attributes: true }), { once: true });
  matchMedia("(prefers-color-scheme: dark)").addEventListener("change", soon);
}

// How far below (or above) the viewport a pre-rendered widget starts loading.
const NEAR = "600px";

// "More on this idea" stays as the reader left it, per lesson and across
// pages (where the page may not store anything, it starts closed).
const MORE = "async-demo:more:";
const listening = new WeakSet();

function rememberMore(root, lesson) {
  if (!listening.has(root)) {
    listening.add(root);
    // toggle does not bubble; a capturing listener hears every widget's.
    root.addEventListener(
      "toggle",
      (event) => {
        const details = event.target;
        if (!details.matches?.("details.more")) return;
        try {
          localStorage.setItem(MORE + root.host.getAttribute("lesson"), details.open ? "open" : "closed");
        } catch {}
      },
      true,
    );
  }
  const details = root.querySelector("details.more");
  if (!details) return;
  try {
    details.open = localStorage.getItem(MORE + lesson) === "open";
  } catch {}
}

class AsyncDemo extends HTMLElement {
  static observedAttributes = ["lesson"];
  #widget = null;
  // The build the widget is mounted on.
  #build = null;
  #mounting = null;
  // A pre-rendered widget not yet mounted: what wakes it, what stops hearing
  // the reader, the lesson it was rendered for, and a click that came early.
  #waking = null;
  #deaf = null;
  #prerendered = null;
  #earlyClick = null;
  // A script called run() or step() before the wasm: no click is replayed.
  #scripted = false;
  // Calls made before the widget was mounted, made on it once it is.
  #early = [];
  // Why this element cannot show a widget at all (the page attached a
  // shadow root of its own to it), if so.
  #broken = null;
  // Between connectedCallback and disconnectedCallback. (An upgrade calls
  // attributeChangedCallback for `lesson` first: that is no change to act on.)
  #connected = false;
  // Every other attribute is watched too, not only the ones lessons read:
  // the widget notes an attribute its lesson ignores (a typo such as
  // timout-ms must not pass silently). Rust knows which ones each lesson reads.
  #attributes = new MutationObserver((changes) => {
    const own = ["lesson", "data-state", "data-scheme", "theme"];
    if (changes.some((c) => !own.includes(c.attributeName))) {
      this.#widget?.sync();
    }
    if (changes.some((c) => c.attributeName === "theme")) this.#restyle();
    // The page may have set the widget's colours on it (style, class).
    if (changes.some((c) => c.attributeName === "style" || c.attributeName === "class")) this.#widget?.restyle();
  });

  /**
   * Follows the page's light or dark scheme, or the one its `theme`
   * attribute sets (`light`, `dark`; `auto` or anything else follows the
   * page); redraws what a change leaves in the old colours.
   */
  #restyle() {
    const theme = this.getAttribute("theme")?.trim().toLowerCase();
    const scheme = theme === "light" || theme === "dark" ? theme : schemeAround(this);
    if (this.getAttribute("data-scheme") === scheme) return;
    this.setAttribute("data-scheme", scheme);
    this.#widget?.restyle();
  }

  connectedCallback() {
    this.#connected = true;
    this.#attributes.observe(this, { attributes: true });
    widgets.set(this, () => this.#restyle());
    watchScheme();
    this.#restyle();
    // A page that a site's own navigation swapped in (Material's instant
    // navigation parses it with DOMParser) brings a pre-rendered widget's
    // declarative shadow root as a plain <template shadowrootmode>, which
    // the browser does not attach: attach it here, so that the widget shows
    // whole at once and is adopted like any pre-rendered one.
    if (!this.shadowRoot) {
      const template = [...this.children].find((c) => c.localName === "template" && c.hasAttribute("shadowrootmode"));
      if (template) {
        try {
          this.attachShadow({ mode: "open" }).append(template.content.cloneNode(true));
          template.remove();
        } catch {
          // A shadow root of the page's own: #mount says so.
        }
      }
    }
    // Pre-rendered, and for the lesson it shows now (the attribute may have
    // changed since): the section names the lesson it was rendered for.
    const section = !this.#widget && !this.#mounting && this.shadowRoot?.querySelector(".demo[data-prerendered]");
    const prerendered = section && section.dataset.prerendered === this.getAttribute("lesson");
    if (prerendered) this.#prerendered = section.dataset.prerendered;
    // A widget told to run at once (`autorun`) mounts at once.
    if (prerendered && !this.hasAttribute("autorun")) {
      rememberMore(this.shadowRoot, this.#prerendered);
      this.setAttribute("data-state", this.getAttribute("data-state") ?? "idle");
      this.#sleepUntilNeeded();
    } else {
      this.#mount();
    }
  }

  disconnectedCallback() {
    this.#connected = false;
    widgets.delete(this);
    this.#attributes.disconnect();
    this.#forgetEarly();
    this.#unmount();
    this.#settleEarly("async-demo: the element left the page before the widget could act on this call");
  }

  // A pre-rendered widget mounts when it comes near the viewport, or at the
  // first touch, key or focus inside it. A click on a button that lands
  // before the wasm is kept and given to the same button once Rust has
  // rebuilt it; meanwhile the badge says the lesson is loading.
  #sleepUntilNeeded() {
    const root = this.shadowRoot;
    const now = () => this.#wake(true);
    const seen = new IntersectionObserver((entries) => entries.some((e) => e.isIntersecting) && now(), {
      rootMargin: NEAR,
    });
    const early = (event) => {
      const button = event.composedPath()[0].closest?.("button");
      if (event.type === "click" && button) {
        event.preventDefault();
        if (!this.#scripted) this.#earlyClick = button;
        const badge = root.querySelector(".badge");
        if (badge) badge.textContent = "loading…";
      }
      now();
    };
    const events = ["pointerdown", "keydown", "focusin", "click"];
    for (const type of events) root.addEventListener(type, early, true);
    seen.observe(this);
    this.#waking = () => seen.disconnect();
    // The reader's actions are heard until Rust has rebuilt the widget.
    this.#deaf = () => {
      for (const type of events) root.removeEventListener(type, early, true);
    };
  }

  #wake(mount) {
    this.#waking?.();
    this.#waking = null;
    if (mount && !this.#widget && !this.#mounting) this.#mount();
  }

  // Nothing the reader did to a pre-rendered widget is carried over any more
  // (the element left the page, or shows another lesson now).
  #forgetEarly() {
    this.#wake(false);
    this.#deaf?.();
    this.#deaf = null;
    this.#prerendered = null;
    this.#earlyClick = null;
    this.#scripted = false;
  }

  attributeChangedCallback(name, oldValue, newValue) {
    if (oldValue === newValue || !this.#connected) return;
    this.#forgetEarly();
    this.#unmount();
    const lesson = JSON.stringify(newValue ?? "");
    this.#settleEarly(`async-demo: the lesson changed to ${lesson} before the widget could act on this call: make it again`);
    this.#mount();
  }

  /**
   * Runs the lesson; resolves with the report. `{ step: true }` starts it
   * paused before its first poll: then `step()` polls one future at a time.
   */
  run(options) {
    this.#scripted = !this.#widget; // the script's run, not also the reader's
    this.#earlyClick = null;
    return this.#call((widget) => settled(this.#build, widget.run(options)));
  }

  /** In a stepped run: one poll of one future; resolves with { label, outcome, cause, line, awaitLine, suspendLine }. */
  step() {
    this.#scripted = !this.#widget;
    this.#earlyClick = null;
    return this.#call((widget) => settled(this.#build, widget.step()));
  }

  /** In a stepped run: the futures waiting for their poll, as [{ label, cause, waitingOn, line, awaitLine, suspendLine }]. */
  queue() {
    return this.#widget ? this.#widget.queue() : [];
  }

  /** In a stepped run: continue at full speed. */
  resume() {
    this.#then((widget) => widget.resume());
  }

  /** Stops the run in flight. */
  cancel() {
    this.#then((widget) => widget.cancel());
  }

  /** The last run as Chrome Trace Event JSON (opens in Perfetto), or null. */
  trace() {
    return this.#widget ? this.#widget.trace() : null;
  }

  /** The last run's report, or null. */
  report() {
    return this.#widget ? this.#widget.report() : null;
  }

  /** The program three ways, { rust, python, javascript }, or null before the wasm. */
  twins() {
    return this.#widget ? this.#widget.twins() : null;
  }

  // A call that acts on the widget: at once when it is mounted, else once it
  // is, after the calls made before it (so `run(); cancel()` before the wasm
  // has arrived cancels that run). Rust starts a run inside `run()` itself,
  // so a cancel() or resume() right after it acts on that run.
  #call(act) {
    if (this.#broken) return Promise.reject(new Error(this.#broken));
    if (!this.#connected) return Promise.reject(new Error("async-demo: the element is not on the page: add it to the document first"));
    if (this.#widget && !this.#early.length) {
      try {
        return Promise.resolve(act(this.#widget));
      } catch (error) {
        return Promise.reject(error);
      }
    }
    return new Promise((resolve, reject) => {
      this.#early.push({ act, resolve, reject });
      this.#wake(true); // mounts it, if it is not mounted or mounting
      if (!this.#widget && !this.#mounting) this.#settleEarly(this.#broken ?? "async-demo: the widget is not on the page");
    });
  }

  // A call with no answer (cancel, resume): now, or after the calls still
  // waiting for the widget; with neither, nothing can be running.
  #then(act) {
    if (this.#early.length) this.#early.push({ act, resolve: () => {}, reject: () => {} });
    else if (this.#widget) act(this.#widget);
  }

  // The calls made before the widget was there: made on it now, in order;
  // or, where it will not come, each rejected with the sentence `why`.
  #settleEarly(why = null) {
    for (const { act, resolve, reject } of this.#early.splice(0)) {
      if (why || !this.#widget) {
        reject(new Error(why ?? "async-demo: the widget is not on the page"));
        continue;
      }
      try {
        resolve(act(this.#widget));
      } catch (error) {
        reject(error);
      }
    }
  }

  #mount() {
    let root = this.shadowRoot;
    if (!root) {
      try {
        root = this.attachShadow({ mode: "open" });
      } catch (error) {
        // The page attached a closed shadow root of its own to the element:
        // there is nowhere to show the widget. Said, never thrown at the page.
        this.#broken = `async-demo cannot show this widget: the page attached a shadow root of its own to the element (${error?.message ?? error})`;
        this.setAttribute("data-state", "error");
        console.error(this.#broken);
        this.#settleEarly(this.#broken);
        return null;
      }
    }
    if (!root.firstChild) placeholder(root);
    this.setAttribute("data-state", this.getAttribute("data-state") ?? "idle");
    const mounting = buildFor(this.getAttribute("lesson")?.trim())
      .ready.then(ownTask)
      .then((made) => {
        if (!this.isConnected || this.#mounting !== mounting) return;
        this.#build = made;
        const { Widget } = made.exports;
        // Rust adopts a widget pre-rendered for this lesson as it stands
        // (what the reader typed, opened, scrolled and focused stays), or
        // builds one; a click that came early goes to the same button.
        const click = this.#prerendered === this.getAttribute("lesson") ? this.#earlyClick : null;
        this.#widget = new Widget(this, root, base, jsAwaitsRust);
        rememberMore(root, this.getAttribute("lesson"));
        this.#forgetEarly();
        if (click?.isConnected) click.click();
        if (apiProblem) this.#widget.setApiProblem(apiProblem);
        if (this.hasAttribute("autorun")) this.#widget.run().catch(() => {});
        this.#settleEarly();
      })
      .catch((error) => {
        this.setAttribute("data-state", "error");
        const message = `async-demo could not start: ${error?.message ?? error}`;
        if (this.#mounting === mounting) this.#settleEarly(message);
        // A pre-rendered widget stays readable: the sentence goes into its
        // error line, and its controls, which cannot work, are disabled.
        const line = this.#prerendered && root.querySelector(".demo p.error[role=alert]");
        if (!line) {
          root.textContent = message;
          return;
        }
        line.textContent = message;
        line.hidden = false;
        for (const control of root.querySelectorAll("button, input, select, textarea")) control.disabled = true;
        const badge = root.querySelector(".badge");
        if (badge) badge.textContent = "error";
        this.#forgetEarly();
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
