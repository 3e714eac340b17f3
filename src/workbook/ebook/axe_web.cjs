// axe-core on the web edition's pages in headless Chromium, and a reflow check.
//
//   node axe_web.cjs <folder> <page.html>... [--then <page.html>...]
//
// WORKBOOK_NODE_MODULES: the node_modules folder holding puppeteer-core and
// @daisy/axe-core-for-ace (both come with @daisy/ace-cli);
// PUPPETEER_EXECUTABLE_PATH: the Chromium to run. Prints one JSON object: the
// axe-core version and, for each page, its violations (WCAG 2.0/2.1 A and AA
// and best practices) and how many CSS pixels it is wider than a 320-pixel
// viewport (WCAG 1.4.10 Reflow; 0 when it reflows). With --then, the pages after
// it are checked in the same browser once a line "go" comes on stdin (a page that
// is written after the others were checked), and a second JSON line follows; at
// the end of stdin without "go" it ends. Exit 2 on a crash.
"use strict";

const fs = require("fs");
const path = require("path");

const modules = process.env.WORKBOOK_NODE_MODULES;
const puppeteer = require(path.join(modules, "puppeteer-core"));
const axePath = path.join(modules, "@daisy", "axe-core-for-ace", "axe.min.js");
const axeSource = fs.readFileSync(axePath, "utf8");
const TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"];

async function checkPage(browser, file) {
  const page = await browser.newPage();
  try {
    await page.setViewport({ width: 1280, height: 900 });
    await page.goto("file://" + file, { waitUntil: "load" });
    await page.addScriptTag({ content: axeSource });
    const result = await page.evaluate(
      async (tags) => axe.run(document, {
        runOnly: { type: "tag", values: tags },
        resultTypes: ["violations"],
      }),
      TAGS,
    );
    await page.setViewport({ width: 320, height: 640 });
    const overflow = await page.evaluate(
      () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
    );
    return {
      violations: result.violations.map((v) => ({
        id: v.id,
        impact: v.impact,
        help: v.help,
        nodes: v.nodes.slice(0, 5).map((n) => n.target.join(" ")),
      })),
      overflow,
    };
  } finally {
    await page.close();
  }
}

function nextLine() {
  return new Promise((resolve) => {
    let text = "";
    process.stdin.setEncoding("utf8");
    process.stdin.on("data", (chunk) => {
      text += chunk;
      if (text.includes("\n")) resolve(text.split("\n")[0].trim());
    });
    process.stdin.on("end", () => resolve(text.trim()));
  });
}

async function checkAll(browser, root, names) {
  const pages = {};
  for (const name of names) {
    pages[name] = await checkPage(browser, path.resolve(root, name));
  }
  const version = /axe v([\d.]+[^\s]*)/.exec(axeSource.slice(0, 200));
  process.stdout.write(JSON.stringify({ axe: version ? version[1] : "?", pages }) + "\n");
}

(async () => {
  const args = process.argv.slice(2);
  const root = args[0];
  const split = args.indexOf("--then");
  const first = split < 0 ? args.slice(1) : args.slice(1, split);
  const later = split < 0 ? [] : args.slice(split + 1);
  const browser = await puppeteer.launch({
    executablePath: process.env.PUPPETEER_EXECUTABLE_PATH,
    headless: true,
    args: ["--no-sandbox", "--disable-gpu", "--allow-file-access-from-files"],
  });
  try {
    await checkAll(browser, root, first);
    if (later.length && (await nextLine()) === "go") {
      await checkAll(browser, root, later);
    }
  } finally {
    await browser.close();
  }
})().catch((error) => {
  process.stderr.write(String(error && error.stack ? error.stack : error) + "\n");
  process.exit(2);
});
