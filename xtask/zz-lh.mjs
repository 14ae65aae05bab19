import path from "node:path";
import { serveFolder } from "../tests/e2e/browser.mjs";
import lighthouse from "lighthouse";
import * as chromeLauncher from "chrome-launcher";
const dist = path.resolve("dist");
const s = await serveFolder(dist, "/site/", { gzip: true });
const staticBase = `http://127.0.0.1:${s.address().port}/site`;
const pages = process.argv.slice(2);
const chrome = await chromeLauncher.launch({ chromePath: "/usr/bin/chromium", chromeFlags: ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run"] });
for (const p of pages) for (const [w, base] of [["serve", "http://127.0.0.1:8080"], ["dist", staticBase]]) {
  const { lhr } = await lighthouse(`${base}/docs/${p}.html`, { port: chrome.port, onlyCategories: ["performance"], logLevel: "error", output: "json" });
  const a = lhr.audits;
  const m = (k) => Math.round(a[k].numericValue);
  console.log(p, w, lhr.categories.performance.score, "fcp", m("first-contentful-paint"), "lcp", m("largest-contentful-paint"), "si", m("speed-index"), "tbt", m("total-blocking-time"), "cls", a["cumulative-layout-shift"].numericValue.toFixed(3));
  const rb = a["render-blocking-resources"]?.details?.items ?? a["render-blocking-insight"]?.details?.items ?? [];
  console.log("  render-blocking:", rb.map((i) => `${i.url?.split("/").pop()} ${Math.round(i.wastedMs ?? 0)}`).join(", "));
  const lcpEl = a["largest-contentful-paint-element"]?.details?.items?.[0]?.items?.[0]?.node?.snippet ?? a["lcp-breakdown-insight"]?.details?.items?.[0]?.items?.[0]?.node?.snippet;
  console.log("  lcp element:", (lcpEl ?? "").slice(0, 150));
}
await chrome.kill(); s.close();
