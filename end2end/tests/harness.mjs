// Starts the real server binary on a free port with a fresh SQLite database and the demo data,
// launches the system Chromium, and checks pages with axe-core.
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { connect, createServer } from 'node:net';
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

/** The password of every demo account that `server seed` adds. */
export const DEMO_PASSWORD = 'placement-pilot-2026';

/** Resolves once something accepts TCP connections on 127.0.0.1:port. */
async function waitForPort(port, what, deadline = Date.now() + 30_000, alive = () => true) {
  for (;;) {
    const open = await new Promise((resolve) => {
      const socket = connect(port, '127.0.0.1');
      socket.once('connect', () => { socket.destroy(); resolve(true); });
      socket.once('error', () => resolve(false));
    });
    if (open) return;
    if (!alive()) throw new Error(`${what} exited (is aiosmtpd installed? scripts/install-test-deps.sh)`);
    if (Date.now() > deadline) throw new Error(`${what} did not start`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/**
 * A real SMTP server (aiosmtpd) that keeps every message it receives in a maildir, and a way
 * to read them: `waitFor(n)` resolves with the messages once there are at least n.
 */
async function startSmtp(dir) {
  const port = await freePort();
  const maildir = join(dir, 'maildir');
  const child = spawn(
    'python3',
    ['-m', 'aiosmtpd', '-n', '-l', `127.0.0.1:${port}`, '-c', 'aiosmtpd.handlers.Mailbox', maildir],
    { stdio: ['ignore', 'inherit', 'inherit'] },
  );
  let running = true;
  const exited = new Promise((r) => child.once('exit', (code) => { running = false; r(code); }));
  child.once('error', (e) => { running = false; console.error(`python3 -m aiosmtpd: ${e.message}`); });
  try {
    await waitForPort(port, 'the SMTP server', Date.now() + 30_000, () => running);
  } catch (e) {
    if (running) child.kill('SIGTERM');
    throw e;
  }
  const messages = () => {
    let names;
    try {
      names = readdirSync(join(maildir, 'new'));
    } catch {
      return []; // nothing delivered yet
    }
    return names
      .map((name) => {
        const path = join(maildir, 'new', name);
        return { name, at: statSync(path).mtimeMs, mail: parseMail(readFileSync(path)) };
      })
      .sort((a, b) => a.at - b.at || a.name.localeCompare(b.name))
      .map((m) => m.mail);
  };
  const mailbox = {
    messages,
    /** The messages received, once there are at least `n`. */
    async waitFor(n, timeout = 15_000) {
      const deadline = Date.now() + timeout;
      for (;;) {
        const all = messages();
        if (all.length >= n) return all;
        if (Date.now() > deadline) throw new Error(`expected ${n} email(s), the mailbox has ${all.length}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    },
    /** The newest message to `address`, once `address` has been sent more than `seen` of them. */
    async waitForMessageTo(address, seen = 0, timeout = 15_000) {
      const deadline = Date.now() + timeout;
      for (;;) {
        const to = messages().filter((m) => m.to.toLowerCase().includes(address.toLowerCase()));
        if (to.length > seen) return to.at(-1);
        if (Date.now() > deadline) throw new Error(`no email to ${address} arrived`);
        await new Promise((r) => setTimeout(r, 50));
      }
    },
    /** How many messages `address` has been sent so far. */
    countTo(address) {
      return messages().filter((m) => m.to.toLowerCase().includes(address.toLowerCase())).length;
    },
  };
  return {
    port,
    mailbox,
    async stop() {
      child.kill('SIGTERM');
      await exited;
    },
  };
}

/** Decodes an RFC 2047 encoded word in a header ("=?utf-8?q?…?=", "=?utf-8?b?…?="). */
function decodeHeader(value) {
  return value.replace(/=\?([^?]+)\?([bBqQ])\?([^?]*)\?=\s*/g, (_, _charset, enc, text) =>
    enc.toUpperCase() === 'B'
      ? Buffer.from(text, 'base64').toString('utf8')
      : Buffer.from(
          text.replace(/_/g, ' ').replace(/=([0-9A-Fa-f]{2})/g, (_m, h) => String.fromCharCode(parseInt(h, 16))),
          'latin1',
        ).toString('utf8'),
  );
}

/** A single-part plain-text message: its To, Subject and decoded body. */
export function parseMail(raw) {
  const text = raw.toString('latin1');
  const split = text.search(/\r?\n\r?\n/);
  const head = text.slice(0, split).replace(/\r?\n[ \t]+/g, ' ');
  const rawBody = text.slice(split).replace(/^\r?\n\r?\n/, '');
  const headers = {};
  for (const line of head.split(/\r?\n/)) {
    const colon = line.indexOf(':');
    if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  const encoding = (headers['content-transfer-encoding'] ?? '7bit').toLowerCase();
  let body;
  if (encoding === 'quoted-printable') {
    // Soft line breaks ("=" at the end of a line) first, then the =XX escapes.
    const unwrapped = rawBody.replace(/=\r?\n/g, '');
    body = Buffer.from(
      unwrapped.replace(/=([0-9A-Fa-f]{2})/g, (_m, h) => String.fromCharCode(parseInt(h, 16))),
      'latin1',
    ).toString('utf8');
  } else if (encoding === 'base64') {
    body = Buffer.from(rawBody.replace(/\s+/g, ''), 'base64').toString('utf8');
  } else {
    body = Buffer.from(rawBody, 'latin1').toString('utf8');
  }
  return {
    to: decodeHeader(headers.to ?? ''),
    subject: decodeHeader(headers.subject ?? ''),
    body: body.replace(/\r\n/g, '\n'),
  };
}

/** A passport key-encryption key for the browser tests (base64 of 32 bytes, not a secret). */
const E2E_KEK = Buffer.from('e2e-key-encryption-key-32-bytes!').toString('base64');

/**
 * Starts the server. With `{ smtp: true }` it sends its mail through a real SMTP server, whose
 * messages `mailbox` reads; without, mail goes to .eml files nobody reads. With
 * `{ passports: true }` it has a key-encryption key, so the seed issues the demo staff their
 * passports.
 */
export async function startServer({ smtp = false, passports = false } = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'pp-e2e-'));
  const port = await freePort();
  const mail = smtp ? await startSmtp(dir) : null;
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
    ...(passports && { APP_PASSPORT__KEY_ENCRYPTION_KEY: E2E_KEK }),
    ...(mail && {
      APP_MAIL__TRANSPORT: 'smtp',
      APP_MAIL__SMTP__HOST: '127.0.0.1',
      APP_MAIL__SMTP__PORT: String(mail.port),
      APP_MAIL__SMTP__TLS: 'none',
      APP_MAIL__POLL_INTERVAL_MS: '100',
    }),
  };
  let child;
  const base = `http://127.0.0.1:${port}`;
  try {
    execFileSync(SERVER_BIN, ['seed'], { env, stdio: 'inherit' });
    child = spawn(SERVER_BIN, ['serve'], { env, stdio: ['ignore', 'inherit', 'inherit'] });
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
  } catch (e) {
    child?.kill('SIGTERM');
    await mail?.stop();
    throw e;
  }
  return {
    base,
    mailbox: mail?.mailbox,
    async stop() {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
      await mail?.stop();
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
  // What went wrong while loading, kept for a failure to print (waitForHydration).
  const trouble = [];
  troubles.set(page, trouble);
  page.on('pageerror', (e) => trouble.push(`script error: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning') trouble.push(`console ${m.type()}: ${m.text()}`);
  });
  page.on('requestfailed', (r) => trouble.push(`request failed: ${r.url()} (${r.failure()?.errorText})`));
  page.on('response', (r) => {
    if (r.status() >= 400) trouble.push(`${r.status()} for ${r.url()}`);
  });
  return page;
}

const troubles = new WeakMap();

const jsDisabled = new WeakMap();

/**
 * Collects the page's script errors and Content-Security-Policy refusals, which the pages must
 * cause none of. Each refusal names the document that was showing, so a failure says which
 * response's policy refused what.
 */
export function watchErrors(page) {
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => {
    if (/Content Security Policy|Refused to/i.test(m.text())) errors.push(`${m.text()} (on ${page.url()})`);
  });
  return errors;
}

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
  try {
    await page.waitForFunction(() => window.__ppHydrated === true, null, { timeout: 30_000 });
  } catch (e) {
    // Name the page and what went wrong loading it: a lazy chunk that never came, a script error.
    const trouble = (troubles.get(page) ?? []).slice(-20);
    throw new Error(`${page.url()} did not hydrate: ${e.message}\n  ${trouble.join('\n  ') || 'nothing reported'}`);
  }
}

/**
 * Signs in through the sign-in page, in the page's browser context (its cookie then signs in
 * every page of that context), and waits for the home page that follows.
 */
export async function signIn(page, base, email, password = DEMO_PASSWORD) {
  await page.goto(`${base}/sign-in`);
  if (!jsDisabled.get(page)) await waitForHydration(page);
  await page.fill('#email', email);
  await page.fill('#password', password);
  await page.click('button:has-text("Sign in")');
  await page.waitForURL(`${base}/`);
  await page.getByRole('heading', { level: 1, name: /^Your work, / }).waitFor();
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
