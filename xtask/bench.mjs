// Driven by `cargo xtask bench`: opens the bench page in headless Chromium
// and prints its figures as JSON on the last line.
// Chromium is launched exactly as the end-to-end tests launch it.
import { launch } from "../tests/e2e/browser.mjs";

const base = process.argv[2];
const browser = await launch();
try {
  const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
  page.on("pageerror", (e) => console.error(`page error: ${e.message}`));
  await page.goto(`${base}/bench/`);
  await page.waitForFunction(() => typeof window.runBench === "function");
  const results = await page.evaluate(() => window.runBench());
  console.log(JSON.stringify(results));
} finally {
  await browser.close();
}
