import path from "node:path";
import { serveFolder } from "../tests/e2e/browser.mjs";
import lighthouse from "lighthouse";
import * as chromeLauncher from "chrome-launcher";
const s = await serveFolder(path.resolve("dist"), "/site/", { gzip: true });
const staticBase = `http://127.0.0.1:${s.address().port}/site`;
const chrome = await chromeLauncher.launch({ chromePath: "/usr/bin/chromium", chromeFlags: ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run"] });
const url = process.argv[2].replace("DIST", staticBase).replace("SERVE", "http://127.0.0.1:8080");
const { lhr } = await lighthouse(url, { port: chrome.port, onlyCategories: ["performance"], logLevel: "error", output: "json" });
console.log(lhr.lighthouseVersion, Object.keys(lhr.audits).filter(k => /render|lcp|largest|critical|network-dep/.test(k)).join(" "));
for (const k of Object.keys(lhr.audits).filter(k => /render-blocking|lcp|largest-contentful-paint-element|critical-request|network-dependency/.test(k))) {
  console.log("==", k, lhr.audits[k].displayValue ?? "", JSON.stringify(lhr.audits[k].details ?? {}).slice(0, 1500));
}
await chrome.kill(); s.close();
