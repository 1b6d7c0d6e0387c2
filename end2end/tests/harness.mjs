// Starts the real server binary on a free port with a fresh SQLite database and the demo data,
// launches the system Chromium, and checks pages with axe-core.
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import assert from 'node:assert/strict';
import { chromium } from 'playwright-core';
import AxeBuilder from '@axe-core/playwright';

const SERVER_BIN = process.env.SERVER_BIN ?? new URL('../../target/debug/server', import.meta.url).pathname;
const SITE_ROOT = process.env.SITE_ROOT ?? new URL('../../target/site', import.meta.url).pathname;

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
    srv.on('error', reject);
  });
}

export async function startServer() {
  const dir = mkdtempSync(join(tmpdir(), 'pp-e2e-'));
  const port = await freePort();
  const env = {
    ...process.env,
    APP_SERVER__HOST: '127.0.0.1',
    APP_SERVER__PORT: String(port),
    APP_SERVER__SITE_ROOT: SITE_ROOT,
    APP_DATABASE__URL: `sqlite://${dir}/e2e.db?mode=rwc`,
    APP_MAIL__TRANSPORT: 'file',
    APP_MAIL__FILE_DIR: join(dir, 'mail'),
    APP_SECRET_KEY: 'e2e-secret-e2e-secret-e2e-secret-e2e',
    RUST_LOG: 'warn',
  };
  execFileSync(SERVER_BIN, ['seed'], { env, stdio: 'inherit' });
  const child = spawn(SERVER_BIN, ['serve'], { env, stdio: ['ignore', 'inherit', 'inherit'] });
  const base = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 30_000;
  for (;;) {
    try {
      const res = await fetch(`${base}/health`);
      if (res.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error('server did not start');
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    base,
    async stop() {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export async function launchBrowser() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
}

/** A page in a fresh browser context (axe-core needs one); close it with page.context().close(). */
export async function openPage(browser, options = {}) {
  const context = await browser.newContext(options);
  const page = await context.newPage();
  page.setDefaultTimeout(15_000);
  jsDisabled.set(page, options.javaScriptEnabled === false);
  return page;
}

const jsDisabled = new WeakMap();

/** Fails with the list of violations if the page breaks any WCAG 2.2 A or AA rule. */
export async function expectAccessible(page) {
  if (jsDisabled.get(page)) {
    await expectSnapshotAccessible(page);
    return;
  }
  const results = await new AxeBuilder({ page })
    .withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22a', 'wcag22aa'])
    .analyze();
  const summary = results.violations.map(
    (v) => `${v.id} (${v.impact}): ${v.help}\n  ${v.nodes.map((n) => n.target.join(' ')).join('\n  ')}`,
  );
  assert.deepEqual(summary, [], `accessibility violations on ${page.url()}`);
}

/** Resolves once the wasm app has hydrated the page. */
export async function waitForHydration(page) {
  await page.waitForFunction(() => window.__ppHydrated === true, null, { timeout: 30_000 });
}

/**
 * axe-core runs inside the page, which a context with JavaScript off does not allow. So the
 * exact HTML that page shows is served again, at the same origin (so its CSS loads), in a
 * context with JavaScript on but the app's own scripts blocked, and checked there.
 */
async function expectSnapshotAccessible(page) {
  const html = await page.content();
  const url = new URL(page.url());
  const context = await page.context().browser().newContext();
  const snapshot = await context.newPage();
  await snapshot.route('**/*', (route) => {
    const u = new URL(route.request().url());
    if (u.pathname === '/__a11y-snapshot') return route.fulfill({ body: html, contentType: 'text/html' });
    if (u.pathname.startsWith('/pkg/') && !u.pathname.endsWith('.css')) return route.abort();
    if (u.pathname.startsWith('/js/')) return route.abort();
    return route.continue();
  });
  await snapshot.goto(`${url.origin}/__a11y-snapshot`);
  try {
    await expectAccessible(snapshot);
  } finally {
    await context.close();
  }
}
