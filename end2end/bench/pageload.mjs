// Loads pages cold in the system Chromium the way a trust PC or a phone on hospital Wi-Fi would:
// the CPU slowed 4x and the network throttled to Lighthouse's "slow 4G" (150 ms round trip,
// 1.6 Mbit/s down, 750 kbit/s up), with an empty cache for every page. For each page it prints
// the bytes transferred, the time to first contentful paint, and the time until its forms are
// interactive (the app's `pp:hydrated` event: every island on the page hydrated). Then the same
// pages again as a repeat visit: loaded once, then measured on a second load with what the
// browser kept (the bundle's hashed files are kept for a year without asking; the rest is
// revalidated), under the same throttling.
//
// A benchmark, not a test: it prints figures and fails only if a page does not load.
// Usage: node bench/pageload.mjs BASE_URL [RUNS=3]   (the demo data must be seeded)
import { chromium } from 'playwright-core';

const base = process.argv[2];
const runs = Number(process.argv[3] ?? 3);
if (!base) {
  console.error('usage: node bench/pageload.mjs BASE_URL [RUNS]');
  process.exit(2);
}
const DEMO_PASSWORD = 'placement-pilot-2026';
const HR = 'hr@r0a.nhs.example';

const SLOW_4G = { offline: false, latency: 150, downloadThroughput: (1.6 * 1024 * 1024) / 8, uploadThroughput: (750 * 1024) / 8 };

const browser = await chromium.launch({ executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium' });

/** A signed-in context's cookies (sign-in itself is not measured). */
async function signedInCookies() {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(`${base}/sign-in`);
  await page.fill('#email', HR);
  await page.fill('#password', DEMO_PASSWORD);
  await page.click('button:has-text("Sign in")');
  await page.waitForURL(`${base}/`);
  // HR's passport record: the first person in the trust's passport queue.
  await page.goto(`${base}/passports`);
  const href = await page.locator('#passport-queue a').first().getAttribute('href');
  const cookies = await context.cookies();
  await context.close();
  return { cookies, record: href };
}

/**
 * One load of `path` in a fresh context, throttled before the measured request: cold (the cache
 * off), or a repeat visit (`repeat`: loaded once first, unmeasured, with the cache on).
 */
async function load(path, cookies, repeat = false) {
  const context = await browser.newContext();
  if (cookies) await context.addCookies(cookies);
  const page = await context.newPage();
  await page.addInitScript(() => {
    window.addEventListener('pp:hydrated', () => { window.__ppInteractiveAt = performance.now(); }, { once: true });
  });
  if (repeat) {
    await page.goto(base + path, { waitUntil: 'load', timeout: 120_000 });
    await page.waitForFunction(() => window.__ppInteractiveAt !== undefined, null, { timeout: 120_000, polling: 50 });
    await page.waitForLoadState('networkidle', { timeout: 120_000 });
    // A new document: leaving the page and coming back as someone would, not a reload (which
    // revalidates even what is fresh).
    await page.goto('about:blank');
  }
  const cdp = await context.newCDPSession(page);
  await cdp.send('Network.enable');
  await cdp.send('Network.setCacheDisabled', { cacheDisabled: !repeat });
  await cdp.send('Network.emulateNetworkConditions', SLOW_4G);
  await cdp.send('Emulation.setCPUThrottlingRate', { rate: 4 });
  let bytes = 0;
  let code = 0;
  const urls = new Map();
  cdp.on('Network.responseReceived', (e) => urls.set(e.requestId, new URL(e.response.url).pathname));
  cdp.on('Network.loadingFinished', (e) => {
    bytes += e.encodedDataLength;
    if (/\.(js|wasm)$/.test(urls.get(e.requestId) ?? '')) code += e.encodedDataLength;
  });
  await page.goto(base + path, { waitUntil: 'load', timeout: 120_000 });
  await page.waitForFunction(() => window.__ppInteractiveAt !== undefined, null, { timeout: 120_000, polling: 50 });
  // Let late requests (the wasm's own fetches) finish so their bytes count.
  await page.waitForLoadState('networkidle', { timeout: 120_000 });
  const timing = await page.evaluate(() => ({
    fcp: performance.getEntriesByName('first-contentful-paint')[0]?.startTime ?? NaN,
    interactive: window.__ppInteractiveAt,
    // Every page ends with one island that only says it is ready (PageReady).
    forms: document.querySelectorAll('leptos-island').length - 1,
  }));
  await context.close();
  return { bytes, code, ...timing };
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const { cookies, record } = await signedInCookies();
const pages = [
  ['home page (signed out)', '/', null],
  ['placement list (signed in)', '/placements', cookies],
  ["HR's passport record", record, cookies],
];
for (const repeat of [false, true]) {
console.log(`${repeat ? 'Repeat visits' : 'Cold page loads'} in Chromium, CPU 4x slower, slow 4G; median of ${runs} runs`);
console.log(
  `${'page'.padEnd(30)} ${'transferred'.padStart(12)} ${'of it wasm+JS'.padStart(14)} ${'first paint'.padStart(12)} ${'interactive'.padStart(12)} ${'forms'.padStart(8)}`,
);
for (const [label, path, jar] of pages) {
  const results = [];
  for (let i = 0; i < runs; i++) results.push(await load(path, jar, repeat));
  const kb = (n) => `${(n / 1024).toFixed(0)} KB`;
  const ms = (n) => `${n.toFixed(0)} ms`;
  const code = results.map((r) => r.code);
  console.log(
    `${label.padEnd(30)} ${kb(median(results.map((r) => r.bytes))).padStart(12)} ${kb(median(code)).padStart(14)} ` +
      `${ms(median(results.map((r) => r.fcp))).padStart(12)} ${ms(median(results.map((r) => r.interactive))).padStart(12)} ` +
      `${String(results[0].forms).padStart(8)}`,
  );
}
}
await browser.close();
