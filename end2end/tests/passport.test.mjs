import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { expectAccessible, launchBrowser, openPage, signIn, startServer, waitForHydration } from './harness.mjs';

const NURSE = 'nurse@r0a.nhs.example';

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

/** Collects script errors and CSP violations, which the pages must cause none of. */
function watchErrors(page) {
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => {
    if (/Content Security Policy|Refused to/i.test(m.text())) errors.push(m.text());
  });
  return errors;
}

describe('the holder’s passport page', () => {
  for (const js of [true, false]) {
    test(`shows the items with values and takes a problem report after a validation error (JavaScript ${js ? 'on' : 'off'})`, async () => {
      const page = await openPage(browser, { javaScriptEnabled: js });
      const errors = watchErrors(page);
      await signIn(page, server.base, NURSE);
      await page.goto(`${server.base}/passport`);
      if (js) await waitForHydration(page);
      const rows = await page.locator('#passport-items tbody tr').allInnerTexts();
      assert.ok(rows.some((r) => r.includes('NI number') && r.includes('QQ123456C')), rows.join('\n'));
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
      assert.ok(items.some((r) => r.includes('NI number') && r.includes('QQ123456C')), items.join('\n'));
      const checks = await page.locator('#verify-checks tbody tr').allInnerTexts();
      assert.ok(checks.length >= 8 && checks.every((c) => /Passed/.test(c)), checks.join('\n'));
      await expectAccessible(page);
      assert.deepEqual(errors, [], 'no script errors and no CSP violations');
      await page.context().close();
    });
  }
});
