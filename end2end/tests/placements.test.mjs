import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { expectAccessible, launchBrowser, openPage, signIn, startServer, waitForHydration } from './harness.mjs';

const normalise = (s) => s.replace(/\s+/g, ' ').trim();
const LEAD = 'lead@r0a.nhs.example';
const NURSE = 'nurse@r0a.nhs.example';

let server;
let browser;

before(async () => {
  server = await startServer();
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

/** Fills the placement form, leaving out the title so it is refused. */
async function fillPlacement(page, { title = '' } = {}) {
  await page.fill('#title', title);
  await page.selectOption('#kind', 'shadowing');
  await page.selectOption('#pathway', 'acute-oncology');
  await page.fill('#department', 'Acute Oncology');
  await page.fill('#description', 'A week with the acute oncology team.');
  await page.fill('#outcomes', 'Use the UKONS triage tool.');
  await page.fill('#supervisor', 'Dr Ana Silva');
  await page.selectOption('#schedule', 'fixed');
  await page.fill('#start', '2099-03-01');
  await page.fill('#end', '2099-03-05');
  await page.fill('#places', '2');
  await page.fill('#closing_date', '2099-02-01');
  await page.check('input[name="staff_groups[]"][value="nursing_midwifery"]');
  await page.check('input[name="staff_groups[]"][value="ahp"]');
  await page.selectOption('#band_min', '5');
  await page.selectOption('#band_max', '7');
  await page.selectOption('#registration', 'any');
}

for (const js of [false, true]) {
  describe(`posting a placement with JavaScript ${js ? 'on' : 'off'}`, () => {
    test('a missing title is shown beside the field with everything typed kept; then it saves as a draft and publishes', async () => {
      const page = await openPage(browser, { javaScriptEnabled: js });
      await signIn(page, server.base, LEAD);
      await page.goto(`${server.base}/trusts/R0A/placements/new`);
      if (js) await waitForHydration(page);
      await fillPlacement(page);
      await page.click('button:has-text("Save draft")');
      await page.locator('.nhsuk-error-summary').waitFor();
      assert.deepEqual(await page.locator('.nhsuk-error-summary__list a').allInnerTexts(), ['Enter a title']);
      assert.equal(normalise(await page.locator('#title-error').textContent()), 'Error: Enter a title');
      // What was typed is kept, the ticked boxes too.
      assert.equal(await page.inputValue('#supervisor'), 'Dr Ana Silva');
      assert.equal(await page.inputValue('#description'), 'A week with the acute oncology team.');
      assert.equal(await page.inputValue('#band_max'), '7');
      assert.equal(await page.isChecked('input[name="staff_groups[]"][value="ahp"]'), true);
      assert.equal(await page.isChecked('input[name="staff_groups[]"][value="medical_dental"]'), false);
      await expectAccessible(page);

      const title = `Shadow the triage line (${js ? 'JS' : 'no JS'})`;
      await page.fill('#title', title);
      await page.click('button:has-text("Save draft")');
      await page.getByRole('heading', { level: 1, name: title }).waitFor();
      assert.match(page.url(), /\/placements\/\d+\?created=1$/);
      assert.equal(await page.locator('#placement-state').innerText(), 'Draft');
      await expectAccessible(page);

      await page.click('button:has-text("Publish")');
      await page.locator('.nhsuk-notification-banner--success').waitFor();
      await page.locator('#placement-state', { hasText: 'Open' }).waitFor();
      await page.context().close();
    });
  });
}

for (const js of [false, true]) {
  describe(`finding a placement with JavaScript ${js ? 'on' : 'off'}`, () => {
    test('filters go into the address, only eligible placements show by default, and back returns to the last list', async () => {
      const page = await openPage(browser, { javaScriptEnabled: js });
      await signIn(page, server.base, NURSE);
      await page.goto(`${server.base}/placements`);
      if (js) await waitForHydration(page);
      await expectAccessible(page);
      assert.equal(await page.isChecked('#eligible'), true, 'eligibility is on by default');
      const titles = async () => page.locator('.pp-results h2').allInnerTexts();
      const first = await titles();
      assert.ok(first.includes('Shadow a 7-day acute oncology service'), first.join(' | '));
      assert.ok(!first.includes('Radiotherapy planning: observe the pathway'), 'a nurse is not eligible for it');

      await page.selectOption('#kind', 'training');
      await page.click('button:has-text("Apply filters")');
      await page.waitForURL(/kind=training/);
      await page.locator('#results-count').waitFor();
      await page.waitForFunction(() => ![...document.querySelectorAll('.pp-results h2')].some((h) => h.innerText.startsWith('Shadow a 7-day')));
      const training = await titles();
      assert.ok(training.length > 0);
      assert.ok(training.includes('Acute oncology triage line: supervised practice'), training.join(' | '));
      assert.equal(await page.inputValue('#kind'), 'training', 'the filter shows what was chosen');

      // Untick eligibility: the radiotherapy placement appears with everything else.
      await page.selectOption('#kind', '');
      await page.uncheck('#eligible');
      await page.click('button:has-text("Apply filters")');
      await page.waitForURL((u) => !u.search.includes('eligible=') && u.search.includes('filtered=1'));
      await page.locator('.pp-results h2', { hasText: 'Radiotherapy planning: observe the pathway' }).waitFor();
      await expectAccessible(page);

      // The back button returns to the training list.
      await page.goBack();
      await page.waitForURL(/kind=training/);
      // With JavaScript on, the old list stays on screen until the new one arrives: wait for it.
      await page.locator('.pp-results h2', { hasText: 'Radiotherapy planning' }).waitFor({ state: 'detached' });
      await page.locator('.pp-results h2', { hasText: 'Acute oncology triage line: supervised practice' }).waitFor();

      // A placement's page says whether the viewer may apply and why not.
      await page.goto(`${server.base}/placements?filtered=1&q=radiotherapy`);
      await page.click('.pp-results a');
      await page.getByRole('heading', { level: 1, name: 'Radiotherapy planning: observe the pathway' }).waitFor();
      const callout = normalise(await page.locator('.nhsuk-warning-callout').innerText());
      assert.match(callout, /You are not eligible/);
      assert.match(callout, /It is not open to Nursing and Midwifery Registered/);
      await expectAccessible(page);
      await page.context().close();
    });
  });
}
