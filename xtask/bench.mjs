// Driven by `cargo xtask bench`: opens the bench page in headless Chromium
// and prints its figures as JSON on the last line.
import { chromium } from "playwright-core";

const base = process.argv[2];
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run"],
});
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
