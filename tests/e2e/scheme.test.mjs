// The widget follows the light or dark scheme of the page around it: the
// site's own switch, whatever it sets (each docs generator's convention is
// played here by a page of its own), and the system's. After a run, a
// switch redraws the timeline's canvas in the new colours.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { launch, pageWith } from "./browser.mjs";

let browser;

before(async () => {
  browser = await launch();
});

after(async () => {
  await browser?.close();
});

// The widget's --line colour, light and dark (www/async-demo.css): the
// timeline's grid lines are stroked in it, one pixel wide.
const LINE = { light: [208, 215, 222], dark: [48, 54, 61] };

/** How many pixels of the first run's canvas are exactly `rgb`. */
const pixelsOf = (host, rgb) =>
  host.evaluate((el, rgb) => {
    const canvas = el.shadowRoot.querySelector("canvas");
    const data = canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height).data;
    let n = 0;
    for (let i = 0; i < data.length; i += 4) if (data[i] === rgb[0] && data[i + 1] === rgb[1] && data[i + 2] === rgb[2] && data[i + 3] === 255) n++;
    return n;
  }, rgb);

/** Waits (3 s at most) until the page's widget's canvas has a pixel of `rgb`: it was redrawn in it. */
const drawnIn = (page, rgb) =>
  page.waitForFunction(
    (rgb) => {
      const canvas = document.querySelector("async-demo").shadowRoot.querySelector("canvas");
      const data = canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height).data;
      for (let i = 0; i < data.length; i += 4) if (data[i] === rgb[0] && data[i + 1] === rgb[1] && data[i + 2] === rgb[2]) return true;
      return false;
    },
    rgb,
    { timeout: 3000 },
  );

// Each generator's switch: what it sets, and the page's dark colours under it.
const SWITCHES = [
  { name: "VitePress", on: "document.documentElement.classList.add('dark')", off: "document.documentElement.classList.remove('dark')", css: "html.dark body { color: rgba(255, 255, 245, 0.86); background: #1b1b1f; }" },
  { name: "MkDocs Material", on: "document.body.setAttribute('data-md-color-scheme', 'slate')", off: "document.body.setAttribute('data-md-color-scheme', 'default')", css: "[data-md-color-scheme=slate] .md-typeset { color: oklch(0.92 0.01 260); } [data-md-color-scheme=slate] { background: #1e2129; }" },
  { name: "Docusaurus", on: "document.documentElement.dataset.theme = 'dark'", off: "document.documentElement.dataset.theme = 'light'", css: "html[data-theme=dark] body { color: #e3e3e3; background: #1b1b1d; }" },
  { name: "Sphinx Furo", on: "document.body.dataset.theme = 'dark'", off: "document.body.dataset.theme = 'light'", css: "body[data-theme=dark] { color: #cfd0d0; background: #131416; transition: color 0.2s; }" },
  { name: "mdBook", on: "document.documentElement.className = 'coal'", off: "document.documentElement.className = 'light'", css: ".coal body { color: #98a3ad; background: #141617; }" },
];

for (const s of SWITCHES) {
  test(`${s.name}'s switch: the widget turns dark and back, and its timeline is redrawn in the new colours`, async () => {
    const { page, errors } = await pageWith(
      browser,
      "/site/scheme.html",
      `<!doctype html><html lang="en" class="light"><head><title>Scheme</title><style>body { color: #222; background: #fff; } ${s.css}</style>
       <script type="module" src="assets/async-demo.js"></script></head>
       <body data-md-color-scheme="default"><article class="md-typeset"><p>Prose.</p>
       <async-demo lesson="sleep" delay-ms="300"></async-demo><p>More prose.</p></article></body></html>`,
    );
    const host = page.locator("async-demo");
    await host.locator("button.run").waitFor();
    assert.equal(await host.getAttribute("data-scheme"), "light");
    await host.locator("button.run").click();
    await page.waitForFunction(() => document.querySelector("async-demo").dataset.state === "done", null, { timeout: 15_000 });
    const light = await pixelsOf(host, LINE.light);
    assert.ok(light > 20, `the light timeline's grid: ${light} pixels`);
    assert.equal(await pixelsOf(host, LINE.dark), 0);

    await page.evaluate(s.on);
    await page.waitForFunction(() => document.querySelector("async-demo").dataset.scheme === "dark", null, { timeout: 3000 });
    // The canvas follows within a frame or two.
    await drawnIn(page, LINE.dark);
    assert.equal(await pixelsOf(host, LINE.light), 0, "nothing is left in the light colours");
    assert.equal(await host.evaluate((el) => getComputedStyle(el.shadowRoot.querySelector(".demo")).backgroundColor), "rgb(13, 17, 23)");

    await page.evaluate(s.off);
    await page.waitForFunction(() => document.querySelector("async-demo").dataset.scheme === "light", null, { timeout: 3000 });
    await drawnIn(page, LINE.light);
    assert.equal(await pixelsOf(host, LINE.dark), 0);
    assert.deepEqual(errors, []);
    await page.close();
  });
}

test("the system's scheme: followed where the page follows it, not where the page stays light", async () => {
  const html = (css) => `<!doctype html><html lang="en"><head><title>System</title><style>${css}</style>
    <script type="module" src="assets/async-demo.js"></script></head>
    <body><p>Prose.</p><async-demo lesson="sleep"></async-demo></body></html>`;
  // A page that takes the system's scheme (color-scheme: light dark): dark text on light, then light on dark.
  const follows = await pageWith(browser, "/site/follows.html", html(":root { color-scheme: light dark; }"));
  const a = follows.page.locator("async-demo");
  await a.locator("button.run").waitFor();
  assert.equal(await a.getAttribute("data-scheme"), "light");
  await follows.page.emulateMedia({ colorScheme: "dark" });
  await follows.page.waitForFunction(() => document.querySelector("async-demo").dataset.scheme === "dark", null, { timeout: 3000 });
  await follows.page.emulateMedia({ colorScheme: "light" });
  await follows.page.waitForFunction(() => document.querySelector("async-demo").dataset.scheme === "light", null, { timeout: 3000 });
  assert.deepEqual(follows.errors, []);
  await follows.page.close();
  // A page with no scheme of its own stays black on white when the system is dark: so does the widget.
  const plain = await pageWith(browser, "/site/plain.html", html(""));
  await plain.page.emulateMedia({ colorScheme: "dark" });
  const b = plain.page.locator("async-demo");
  await b.locator("button.run").waitFor();
  await plain.page.waitForTimeout(500);
  assert.equal(await b.getAttribute("data-scheme"), "light");
  assert.equal(await b.evaluate((el) => getComputedStyle(el.shadowRoot.querySelector(".demo")).backgroundColor), "rgb(255, 255, 255)");
  await plain.page.close();
});

test("colours a page sets on the element are the widget's, and its switch redraws the timeline in them", async () => {
  const { page, errors } = await pageWith(
    browser,
    "/site/own-colours.html",
    `<!doctype html><html lang="en"><head><title>Own colours</title><style>
       body { color: #222; background: #fff; }
       [data-md-color-scheme=slate] { color: #e2e4e9; background: #1e2129; }
       [data-md-color-scheme=slate] async-demo { --line: rgb(1, 2, 3); --bg: #1e2129; }
     </style><script type="module" src="assets/async-demo.js"></script></head>
     <body data-md-color-scheme="default"><async-demo lesson="sleep" delay-ms="300"></async-demo></body></html>`,
  );
  const host = page.locator("async-demo");
  await host.locator("button.run").click();
  await page.waitForFunction(() => document.querySelector("async-demo").dataset.state === "done", null, { timeout: 15_000 });
  await page.evaluate(() => document.body.setAttribute("data-md-color-scheme", "slate"));
  await drawnIn(page, [1, 2, 3]);
  assert.equal(await pixelsOf(host, LINE.light), 0);
  assert.equal(await host.evaluate((el) => getComputedStyle(el.shadowRoot.querySelector(".demo")).backgroundColor), "rgb(30, 33, 41)");
  assert.deepEqual(errors, []);
  await page.close();
});

test("the theme attribute: light or dark whatever the page, auto (or none) follows it; a change redraws the timeline", async () => {
  const { page, errors } = await pageWith(
    browser,
    "/site/theme.html",
    `<!doctype html><html lang="en"><head><title>Theme</title><style>body { color: #222; background: #fff; }</style>
     <script type="module" src="assets/async-demo.js"></script></head>
     <body><async-demo lesson="sleep" delay-ms="300" theme="dark"></async-demo></body></html>`,
  );
  const host = page.locator("async-demo");
  await host.locator("button.run").waitFor();
  // Dark on a light page, as the attribute says; and no note that the lesson ignores it.
  assert.equal(await host.getAttribute("data-scheme"), "dark");
  assert.equal(await host.locator("ul.notes li").count(), 0);
  await host.locator("button.run").click();
  await page.waitForFunction(() => document.querySelector("async-demo").dataset.state === "done", null, { timeout: 15_000 });
  assert.ok((await pixelsOf(host, LINE.dark)) > 20);
  // auto follows the light page, and the timeline is redrawn light.
  await host.evaluate((el) => el.setAttribute("theme", "auto"));
  await page.waitForFunction(() => document.querySelector("async-demo").dataset.scheme === "light", null, { timeout: 3000 });
  await drawnIn(page, LINE.light);
  assert.equal(await pixelsOf(host, LINE.dark), 0);
  // light stays light on a page that turns dark.
  await host.evaluate((el) => el.setAttribute("theme", "light"));
  await page.evaluate(() => (document.body.style.cssText = "color: #eee; background: #111"));
  await page.waitForTimeout(500);
  assert.equal(await host.getAttribute("data-scheme"), "light");
  // Taking the attribute away follows the page again: dark now.
  await host.evaluate((el) => el.removeAttribute("theme"));
  await page.waitForFunction(() => document.querySelector("async-demo").dataset.scheme === "dark", null, { timeout: 3000 });
  assert.deepEqual(errors, []);
  await page.close();
});
