// Shared set-up for the Firefox end-to-end tests: Debian's Firefox ESR,
// headless, driven over WebDriver by geckodriver (selenium-webdriver),
// against the dev server that `cargo xtask test` starts (ASYNC_DEMO_URL), or
// one started by hand (default http://127.0.0.1:8080). Playwright cannot
// drive Debian's Firefox, hence WebDriver; page errors come from WebDriver
// BiDi's log events, and the widget's shadow root is reached through
// executeScript (`el.shadowRoot.querySelector(...)`).
import { accessSync, constants, readFileSync } from "node:fs";
import { homedir } from "node:os";
import { delimiter, join } from "node:path";
import { Builder, Browser } from "selenium-webdriver";
import firefox from "selenium-webdriver/firefox.js";
import LogInspector from "selenium-webdriver/bidi/logInspector.js";
import ScriptManager from "selenium-webdriver/bidi/scriptManager.js";

export const BASE = (process.env.ASYNC_DEMO_URL ?? "http://127.0.0.1:8080").replace(/\/$/, "");

const INSTALL = "run `cargo xtask test` once, which installs Debian's firefox-esr and geckodriver (crates.io)";

function executable(path) {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** The first executable of `candidates`, else throws a sentence naming `what`. */
function find(what, envVar, candidates) {
  const given = process.env[envVar];
  if (given) {
    if (executable(given)) return given;
    throw new Error(`${envVar}=${given} is not an executable ${what}; unset it or ${INSTALL}.`);
  }
  const found = candidates.find(executable);
  if (!found) throw new Error(`No ${what} found (looked for ${candidates.join(", ")}): ${INSTALL}.`);
  return found;
}

const onPath = (name) => (process.env.PATH ?? "").split(delimiter).filter(Boolean).map((dir) => join(dir, name));

export const firefoxBinary = () => find("Firefox", "FIREFOX", ["/usr/bin/firefox-esr", "/usr/lib/firefox-esr/firefox-esr", ...onPath("firefox-esr"), ...onPath("firefox")]);
export const geckodriverBinary = () => find("geckodriver", "GECKODRIVER", [...onPath("geckodriver"), join(process.env.CARGO_HOME ?? join(homedir(), ".cargo"), "bin", "geckodriver")]);

// Nothing leaves loopback: no updates, telemetry, safe-browsing lists,
// remote settings, captive-portal or connectivity probes, and every other
// host goes to a proxy on a closed loopback port (Firefox never proxies
// loopback addresses, so the dev server is reached directly).
const PREFS = {
  "app.update.disabledForTesting": true,
  "app.update.auto": false,
  "browser.shell.checkDefaultBrowser": false,
  "browser.startup.homepage_override.mstone": "ignore",
  "browser.startup.page": 0,
  "browser.newtabpage.enabled": false,
  "browser.safebrowsing.malware.enabled": false,
  "browser.safebrowsing.phishing.enabled": false,
  "browser.safebrowsing.downloads.enabled": false,
  "browser.safebrowsing.update.enabled": false,
  "browser.search.update": false,
  "browser.topsites.contile.enabled": false,
  "datareporting.policy.dataSubmissionEnabled": false,
  "datareporting.healthreport.uploadEnabled": false,
  "toolkit.telemetry.enabled": false,
  "toolkit.telemetry.unified": false,
  "toolkit.telemetry.server": "",
  "app.normandy.enabled": false,
  "app.shield.optoutstudies.enabled": false,
  "extensions.update.enabled": false,
  "extensions.getAddons.cache.enabled": false,
  "services.settings.server": "http://127.0.0.1:9/",
  "extensions.systemAddon.update.enabled": false,
  "media.gmp-manager.updateEnabled": false,
  "dom.push.connection.enabled": false,
  "browser.region.network.url": "",
  "geo.provider.network.url": "",
  "network.trr.mode": 5,
  "network.captive-portal-service.enabled": false,
  "network.connectivity-service.enabled": false,
  "network.dns.disablePrefetch": true,
  "network.prefetch-next": false,
  "network.http.speculative-parallel-limit": 0,
  "network.proxy.type": 1,
  "network.proxy.http": "127.0.0.1",
  "network.proxy.http_port": 9,
  "network.proxy.ssl": "127.0.0.1",
  "network.proxy.ssl_port": 9,
  "network.proxy.allow_hijacking_localhost": false,
};

/** The name and parent of a live process (Linux's /proc), or null. */
function proc(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const name = stat.slice(stat.indexOf("(") + 1, stat.lastIndexOf(")"));
    const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
    return { name, ppid };
  } catch {
    return null;
  }
}

/**
 * If this process ends without `driver.quit()` (a crash, a signal, a closed
 * pipe), Firefox and its geckodriver would be left running: end those two,
 * by their ids, on the way out.
 */
function killOnExit(driver, firefoxPid) {
  let quit = false;
  const original = driver.quit.bind(driver);
  driver.quit = async () => {
    try {
      return await original();
    } finally {
      quit = true;
    }
  };
  const firefox = proc(firefoxPid);
  const gecko = firefox && proc(firefox.ppid)?.name === "geckodriver" ? firefox.ppid : null;
  process.once("exit", () => {
    if (quit) return;
    for (const [pid, name] of [[firefoxPid, firefox?.name], [gecko, "geckodriver"]]) {
      if (pid && name && proc(pid)?.name === name) {
        try {
          process.kill(pid, "SIGKILL");
        } catch {
          // already gone
        }
      }
    }
  });
  for (const [signal, code] of [["SIGINT", 130], ["SIGTERM", 143], ["SIGHUP", 129]]) {
    if (process.listenerCount(signal) === 0) process.once(signal, () => process.exit(code));
  }
}

/**
 * Headless Firefox ESR on a fresh profile (geckodriver makes a temporary one
 * and deletes it on quit), with BiDi on for the page's errors. `errors`
 * collects uncaught exceptions and console errors, as the Chromium suite's
 * `pageerror` and `console` listeners do.
 */
export async function launch() {
  const options = new firefox.Options()
    .setBinary(firefoxBinary())
    .addArguments("-headless")
    .windowSize({ width: 1280, height: 900 })
    .enableBidi();
  for (const [name, value] of Object.entries(PREFS)) options.setPreference(name, value);
  const service = new firefox.ServiceBuilder(geckodriverBinary()).setStdio("ignore");
  const driver = await new Builder().forBrowser(Browser.FIREFOX).setFirefoxOptions(options).setFirefoxService(service).build();
  killOnExit(driver, Number((await driver.getCapabilities()).get("moz:processID")));
  await driver.manage().setTimeouts({ script: 120_000, pageLoad: 30_000 });
  const errors = [];
  const log = await LogInspector(driver);
  await log.onJavascriptException((e) => errors.push(`pageerror: ${e.text}`));
  await log.onConsoleEntry((e) => {
    if (e.level === "error") errors.push(`console: ${e.text}`);
  });
  return { driver, errors };
}

/**
 * Runs `fn` in every page before the page's own scripts (a WebDriver BiDi
 * preload script, in the page's realm): Playwright's `addInitScript`.
 */
export async function addInitScript(driver, fn) {
  const scripts = await ScriptManager(undefined, driver);
  await scripts.addPreloadScript(fn.toString());
}

/** Opens `path` (or a full URL) and waits for the widget's element to be defined. */
export async function open(driver, path = "/") {
  await driver.get(path.startsWith("http") ? path : BASE + path);
  await driver.wait(() => driver.executeScript('return customElements.get("async-demo") !== undefined'), 30_000, "the async-demo element was never defined");
}

/** A browser with one page open on `path`: the usual start of a test file. */
export async function startPage(path = "/") {
  const { driver, errors } = await launch();
  await open(driver, path);
  return { driver, errors };
}

const HOST = (lesson) => `document.querySelector('async-demo[lesson="${lesson}"]')`;

/** Runs `body` (a function body) in the page with `el` the widget of `lesson`; `args[0]…` after it. */
export function onWidget(driver, lesson, body, ...args) {
  return driver.executeScript(`const el = ${HOST(lesson)}; if (!el) throw new Error("no widget for ${lesson}"); ${body}`, ...args);
}

/**
 * The element `selector` inside the widget's shadow root, as a WebDriver
 * element (reached through JavaScript: WebDriver's own shadow-root commands
 * differ between drivers).
 */
export async function inWidget(driver, lesson, selector, timeout = 15_000) {
  const find = () => onWidget(driver, lesson, "return el.shadowRoot?.querySelector(arguments[0]) ?? null;", selector);
  // The widget renders once its wasm has loaded: wait for it, as a Playwright locator would.
  return driver.wait(find, timeout).catch(() => {
    throw new Error(`${lesson}: nothing matches ${selector} in the widget's shadow root after ${timeout} ms`);
  });
}

/** Clicks the element `selector` of the widget with a real WebDriver click (scrolled into view first). */
export async function click(driver, lesson, selector) {
  const element = await inWidget(driver, lesson, selector);
  await driver.executeScript('arguments[0].scrollIntoView({ block: "center" });', element);
  await element.click();
}

/** The widget's `data-state`. */
export const stateOf = (driver, lesson) => onWidget(driver, lesson, "return el.dataset.state;");

/** Waits until the widget's state satisfies `ok`; returns the state. */
export async function waitForState(driver, lesson, ok, timeout = 60_000) {
  let state;
  await driver.wait(async () => ok((state = await stateOf(driver, lesson))), timeout, `${lesson} stayed ${state}`).catch((e) => {
    throw new Error(`${lesson}: still "${state}" after ${timeout} ms (${e.message})`);
  });
  return state;
}

/** Clicks the Run button of `lesson` and waits until it is neither idle nor running; returns the state. */
export async function runByClick(driver, lesson, { timeout = 60_000 } = {}) {
  await click(driver, lesson, "button.run");
  return waitForState(driver, lesson, (s) => s !== "running" && s !== "idle", timeout);
}

/** The widget's last report (the element's `report()`). */
export const reportOf = (driver, lesson) => onWidget(driver, lesson, "return el.report();");

/** The dev server's request counters (asked from Node: no Origin header). */
export async function stats(base = BASE) {
  const r = await fetch(`${base}/async-demo-api/stats`);
  if (!r.ok) throw new Error(`GET /async-demo-api/stats answered ${r.status}`);
  return r.json();
}

/** Zeroes the dev server's counters (a POST from Node: no Origin header, which the server accepts). */
export async function resetStats(base = BASE) {
  const r = await fetch(`${base}/async-demo-api/stats/reset`, { method: "POST" });
  if (!r.ok) throw new Error(`POST /async-demo-api/stats/reset answered ${r.status}: ${await r.text()}`);
}

/** Polls the counters until `done(now)` or about 3 s have passed; returns the last reading. */
export async function statsUntil(done, base = BASE) {
  let now = await stats(base);
  for (let i = 0; i < 60 && !done(now); i++) {
    await new Promise((r) => setTimeout(r, 50));
    now = await stats(base);
  }
  return now;
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
