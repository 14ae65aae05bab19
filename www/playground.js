// The playground's permalinks: the URL's hash names a lesson and its
// parameters (#gather?urls=api%2Fdelay%2F300&timeout-ms=900). Opening such
// a URL restores them; changing a parameter updates the hash.
const widgets = () => [...document.querySelectorAll("async-demo[lesson]")];
const PARAMS = ["tasks", "delay-ms", "block-ms", "urls", "concurrency", "timeout-ms", "failures", "primes-below"];

function restore() {
  const [lesson, query = ""] = decodeURIComponent(location.hash.slice(1)).split("?");
  const el = widgets().find((w) => w.getAttribute("lesson") === lesson);
  if (!el) return;
  for (const [name, value] of new URLSearchParams(query)) {
    if (PARAMS.includes(name)) el.setAttribute(name, value);
  }
  el.scrollIntoView();
}

function remember(el) {
  const params = new URLSearchParams();
  for (const name of PARAMS) if (el.hasAttribute(name)) params.set(name, el.getAttribute(name));
  const query = params.toString();
  history.replaceState(null, "", `#${el.getAttribute("lesson")}${query ? `?${query}` : ""}`);
}

restore();
window.addEventListener("hashchange", restore);
new MutationObserver((changes) => {
  for (const change of changes) if (PARAMS.includes(change.attributeName)) remember(change.target);
}).observe(document.querySelector("main"), { subtree: true, attributeFilter: PARAMS });
