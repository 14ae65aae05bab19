// The playground's permalinks: the URL's hash names a lesson and its
// parameters (#gather?urls=async-demo-api/delay/300+async-demo-api/delay/300&timeout-ms=900).
// Opening such a URL restores them; changing a parameter updates the hash.
//
// The hash is split first (lesson, then `&`-separated `name=value` pairs),
// then each piece is decoded on its own, so a value may hold `&`, `=`, `?`,
// `+`, `%`, spaces or any Unicode: they are percent-encoded in the hash. As
// in a form (and in the links this page wrote before), `+` stands for a
// space and `%2B` for a plus. A piece that does not decode (`%E0%A4%A`) is
// skipped with a console warning; the rest of the hash still restores.

// The attributes a permalink may carry: only these, never any attribute a
// hash names (an `onclick` from a link must not land on the page). This is
// the one list on the JavaScript side; each lesson's own parameters are
// declared in Rust (src/lessons/), and a unit test there fails when this
// list and theirs differ.
const PARAMS = ["tasks", "delay-ms", "block-ms", "urls", "concurrency", "timeout-ms", "failures", "work-ms", "program"];

const widgets = () => [...document.querySelectorAll("async-demo[lesson]")];

/** One percent-encoded piece of the hash, or null (with a warning) if it is malformed. */
function decode(piece) {
  try {
    return decodeURIComponent(piece.replaceAll("+", " "));
  } catch {
    console.warn(`async-demo permalink: ignored “${piece.slice(0, 80)}”, which is not valid percent-encoding.`);
    return null;
  }
}

/** A value for the hash: percent-encoded, with spaces as `+` and `/` and `:` left readable. */
function encode(value) {
  return encodeURIComponent(value).replaceAll("%20", "+").replaceAll("%2F", "/").replaceAll("%3A", ":");
}

function restore() {
  const hash = location.hash.slice(1);
  const mark = hash.indexOf("?");
  const lesson = decode(mark < 0 ? hash : hash.slice(0, mark));
  const el = widgets().find((w) => w.getAttribute("lesson") === lesson);
  if (!el) return;
  const query = mark < 0 ? "" : hash.slice(mark + 1);
  for (const pair of query.split("&")) {
    if (!pair) continue;
    const eq = pair.indexOf("=");
    const name = decode(eq < 0 ? pair : pair.slice(0, eq));
    const value = decode(eq < 0 ? "" : pair.slice(eq + 1));
    if (name === null || value === null || !PARAMS.includes(name)) continue;
    el.setAttribute(name, value);
  }
  el.scrollIntoView();
}

function remember(el) {
  const pairs = PARAMS.filter((name) => el.hasAttribute(name)).map((name) => `${name}=${encode(el.getAttribute(name))}`);
  const query = pairs.join("&");
  history.replaceState(null, "", `#${encode(el.getAttribute("lesson"))}${query ? `?${query}` : ""}`);
}

window.addEventListener("hashchange", restore);
new MutationObserver((changes) => {
  for (const change of changes) if (PARAMS.includes(change.attributeName)) remember(change.target);
}).observe(document.querySelector("main"), { subtree: true, attributeFilter: PARAMS });
restore();
