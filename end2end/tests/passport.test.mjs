import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { crc32, deflateSync } from 'node:zlib';
import {
  expectAccessible, launchBrowser, openPage, signIn, startServer, waitForHydration, watchErrors,
} from './harness.mjs';

const NURSE = 'nurse@r0a.nhs.example';
const HR = 'hr@r0a.nhs.example';

/** A real PNG, `size` pixels square, of a grey gradient. */
function png(size) {
  const chunk = (type, data) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(body));
    return Buffer.concat([len, body, crc]);
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(size, 0);
  header.writeUInt32BE(size, 4);
  header[8] = 8; // bit depth
  header[9] = 0; // greyscale
  const rows = [];
  for (let y = 0; y < size; y++) {
    const row = Buffer.alloc(size + 1);
    for (let x = 0; x < size; x++) row[x + 1] = (x + y) % 256;
    rows.push(row);
  }
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(Buffer.concat(rows))),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

let server;
let browser;

before(async () => {
  // The seed issues the demo staff their passports.
  server = await startServer({ passports: true });
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

describe('the holder’s passport page', () => {
  for (const js of [true, false]) {
    test(`shows the items with values and takes a problem report after a validation error (JavaScript ${js ? 'on' : 'off'})`, async () => {
      const page = await openPage(browser, { javaScriptEnabled: js });
      const errors = watchErrors(page);
      await signIn(page, server.base, NURSE);
      await page.goto(`${server.base}/passport`);
      if (js) await waitForHydration(page);
      const rows = await page.locator('#passport-items tbody tr').allInnerTexts();
      assert.ok(rows.some((r) => r.includes('NI number') && r.includes('JK123456C')), rows.join('\n'));
      assert.equal(await page.locator('#passport-status').innerText(), 'Valid');
      assert.match(await page.locator('#passport-history').innerText(), /Viewed/);
      await expectAccessible(page);

      // Nothing typed: the message is beside the field and in the summary.
      await page.click('button:has-text("Send to HR")');
      await page.locator('#problem-error').waitFor();
      assert.match(await page.locator('#problem-error').innerText(), /Enter what is wrong with your passport/);
      assert.match(await page.locator('.nhsuk-error-summary').innerText(), /Enter what is wrong/);
      await expectAccessible(page);

      const problem = `My pay band is now 7 (${js ? 'with' : 'without'} JavaScript)`;
      await page.fill('#problem', problem);
      await page.click('button:has-text("Send to HR")');
      await page.locator('.nhsuk-notification-banner--success').waitFor();
      await page.locator('#passport-history', { hasText: problem }).waitFor();
      assert.equal(await page.locator('#problem-error').count(), 0);
      assert.deepEqual(errors, [], 'no script errors and no CSP violations');
      await page.context().close();
    });
  }
});

describe('the verification page', () => {
  for (const js of [true, false]) {
    test(`checks a pasted passport, garbage first (JavaScript ${js ? 'on' : 'off'}), without signing in`, async () => {
      // The holder downloads their passport file.
      const holder = await openPage(browser);
      await signIn(holder, server.base, NURSE);
      const download = await holder.request.get(`${server.base}/passport/download`);
      assert.equal(download.status(), 200);
      const credential = (await download.text()).trim();
      await holder.context().close();

      const page = await openPage(browser, { javaScriptEnabled: js });
      const errors = watchErrors(page);
      await page.goto(`${server.base}/verify`);
      if (js) await waitForHydration(page);
      await expectAccessible(page);
      await page.fill('#credential', 'this is not a passport');
      await page.click('button:has-text("Check passport")');
      await page.locator('#credential-error').waitFor();
      assert.match(await page.locator('#credential-error').innerText(), /This is not a passport credential/);
      assert.equal(await page.locator('#credential').inputValue(), 'this is not a passport');

      await page.fill('#credential', credential);
      await page.click('button:has-text("Check passport")');
      await page.locator('#verify-outcome', { hasText: 'Passport verified' }).waitFor();
      const items = await page.locator('#verify-items tbody tr').allInnerTexts();
      assert.ok(items.some((r) => r.includes('NI number') && r.includes('JK123456C')), items.join('\n'));
      const checks = await page.locator('#verify-checks tbody tr').allInnerTexts();
      assert.ok(checks.length >= 8 && checks.every((c) => /Passed/.test(c)), checks.join('\n'));
      await expectAccessible(page);
      assert.deepEqual(errors, [], 'no script errors and no CSP violations');
      await page.context().close();
    });
  }
});

describe('HR’s passport record', () => {
  for (const js of [true, false]) {
    test(`records checks after a bad NI number, reissues, and uploads a photo (JavaScript ${js ? 'on' : 'off'})`, async () => {
      const page = await openPage(browser, { javaScriptEnabled: js });
      const errors = watchErrors(page);
      await signIn(page, server.base, HR);
      // The queue lists the trust's staff whose passports need HR; the nurse's awaits them.
      await page.goto(`${server.base}/passports`);
      if (js) await waitForHydration(page);
      await expectAccessible(page);
      await page.locator('#passport-queue tr', { hasText: NURSE }).locator('a').click();
      await page.locator('#record-form').waitFor();
      if (js) await waitForHydration(page);
      assert.equal(await page.locator('#record-status').innerText(), 'Valid');
      await expectAccessible(page);

      await page.fill('[id="items[ni_number]"]', 'QQ 12 34 56 C');
      await page.click('button:has-text("Record checks and reissue passport")');
      await page.locator('[id="items[ni_number]-error"]').waitFor();
      assert.match(await page.locator('[id="items[ni_number]-error"]').innerText(), /QQ is not a National Insurance number prefix/);
      assert.equal(await page.locator('[id="items[ni_number]"]').inputValue(), 'QQ 12 34 56 C');
      await expectAccessible(page);

      await page.fill('[id="items[ni_number]"]', 'JK 65 43 21 B');
      await page.click('button:has-text("Record checks and reissue passport")');
      await page.locator('.nhsuk-notification-banner--success', { hasText: 'Passport issued' }).waitFor();
      assert.equal(await page.locator('[id="items[ni_number]-error"]').count(), 0);
      await page.locator('#record-checks-table', { hasText: HR }).waitFor();

      // A photo: a plain multipart form either way, back here with the outcome.
      await page.setInputFiles('#photo-file', { name: 'me.txt', mimeType: 'text/plain', buffer: Buffer.from('not a photo') });
      await page.click('button:has-text("Upload photo")');
      await page.locator('#photo-error').waitFor();
      assert.match(await page.locator('#photo-error').innerText(), /must be a JPEG or PNG image/);
      await page.setInputFiles('#photo-file', { name: 'me.png', mimeType: 'image/png', buffer: png(160 + (js ? 1 : 2)) });
      await page.click('button:has-text("Upload photo")');
      await page.locator('.nhsuk-notification-banner--success', { hasText: 'Photo saved' }).waitFor();
      // The server serves the stored photo to the signed-in HR officer (a clear failure if not)...
      const src = await page.locator('#photo-current').getAttribute('src');
      const served = await page.request.get(`${server.base}${src}`);
      assert.equal(served.status(), 200, `GET ${src}`);
      assert.equal(served.headers()['content-type'], 'image/png');
      // ...and the browser decodes it. The banner can be in the page before the image has loaded,
      // so wait for it, polling on a timer (animation frames need not run in a page without script).
      await page.waitForFunction(() => {
        const img = document.querySelector('#photo-current');
        return img !== null && img.complete && img.naturalWidth > 0;
      }, null, { polling: 100, timeout: 30_000 });
      const width = await page.locator('#photo-current').evaluate((img) => img.naturalWidth);
      assert.equal(width, 160 + (js ? 1 : 2), 'the stored photo is served and decodes');
      assert.match(await page.locator('#photo-status').innerText(), /Not in the passport yet/);
      await expectAccessible(page);
      assert.deepEqual(errors, [], 'no script errors and no CSP violations');
      await page.context().close();
    });
  }
});
