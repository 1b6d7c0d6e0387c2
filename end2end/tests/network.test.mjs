import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  expectAccessible, launchBrowser, openPage, signIn, startServer, waitForHydration, watchErrors,
} from './harness.mjs';

const normalise = (s) => s.replace(/\s+/g, ' ').trim();

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

describe('the network pages', () => {
  test('every page is accessible and has the NHS header, with JavaScript on', async () => {
    const page = await openPage(browser);
    const errors = watchErrors(page);
    for (const path of ['/', '/trusts', '/trusts/R0A', '/pathways', '/no/such/page']) {
      await page.goto(server.base + path);
      await waitForHydration(page);
      assert.equal(await page.locator('.nhsuk-header__service-name').innerText(), 'Placement Passport');
      await expectAccessible(page);
    }
    assert.deepEqual(errors, [], 'no script errors and no CSP violations');
    await page.context().close();
  });

  test("a project manager's pages (administration, people, audit, account) are accessible, with no script errors", async () => {
    const page = await openPage(browser);
    const errors = watchErrors(page);
    await signIn(page, server.base, 'pm@gmcancer.nhs.example');
    await page.goto(`${server.base}/trusts/RWJ`);
    const teamLink = await page.locator('tbody a[href^="/teams/"]').first().getAttribute('href');
    for (const path of ['/', '/trusts', '/trusts/RWJ', teamLink, '/pathways', '/people', '/people/new', '/audit', '/account']) {
      await page.goto(server.base + path);
      await waitForHydration(page);
      await expectAccessible(page);
    }
    // Every person's page too (one is enough: they share one layout).
    await page.goto(`${server.base}/people`);
    const personLink = await page.locator('tbody a[href^="/people/"]').first().getAttribute('href');
    await page.goto(server.base + personLink);
    await waitForHydration(page);
    await expectAccessible(page);
    assert.deepEqual(errors, [], 'no script errors and no CSP violations');
    await page.context().close();
  });

  // Pages are rendered on the server only (islands, issue 19): there is no client-side router,
  // so a link loads the next page in full, whose own islands then hydrate.
  test('links load the next page in full, which hydrates its own forms', async () => {
    const page = await openPage(browser);
    const errors = watchErrors(page);
    await page.goto(server.base + '/trusts');
    await waitForHydration(page);
    await page.evaluate(() => { window.__marker = 'first-document'; });
    await page.getByRole('link', { name: 'The Christie NHS Foundation Trust' }).click();
    await page.getByRole('heading', { level: 1, name: 'The Christie NHS Foundation Trust' }).waitFor();
    await waitForHydration(page);
    assert.equal(await page.evaluate(() => window.__marker), undefined, 'a new document');
    assert.deepEqual(errors, [], 'no script errors and no CSP violations');
    await page.context().close();
  });
});

const PROJECT_MANAGER = 'pm@gmcancer.nhs.example';

describe('adding a team', () => {
  test('the form is not shown to someone who has not signed in', async () => {
    const page = await openPage(browser, { javaScriptEnabled: false });
    await page.goto(server.base + '/trusts/R0A');
    await page.getByRole('heading', { level: 1, name: 'Manchester University NHS Foundation Trust' }).waitFor();
    assert.equal(await page.getByRole('heading', { name: 'Add a team' }).count(), 0);
    assert.equal(await page.locator('#min_cover').count(), 0);
    await page.context().close();
  });

  test('with JavaScript off: errors beside the fields, typed values kept, then success', async () => {
    const page = await openPage(browser, { javaScriptEnabled: false });
    await signIn(page, server.base, PROJECT_MANAGER);
    await page.goto(server.base + '/trusts/RWJ');
    await page.fill('#min_cover', 'lots');
    await page.click('button:has-text("Add team")');
    await page.locator('.nhsuk-error-summary').waitFor();
    assert.deepEqual(await page.locator('.nhsuk-error-summary__list a').allInnerTexts(), [
      'Enter a team name',
      'Minimum cover must be a whole number, like 4',
    ]);
    assert.equal(normalise(await page.locator('#name-error').textContent()), 'Error: Enter a team name');
    assert.equal(await page.inputValue('#min_cover'), 'lots');
    assert.equal(await page.locator('tbody tr', { hasText: 'lots' }).count(), 0);
    await expectAccessible(page);

    await page.fill('#name', 'No-JS Team');
    await page.fill('#min_cover', '2');
    await page.click('button:has-text("Add team")');
    await page.locator('.nhsuk-notification-banner--success').waitFor();
    assert.match(await page.locator('.nhsuk-notification-banner__heading').innerText(), /No-JS Team added/);
    assert.equal(await page.locator('tbody tr', { hasText: 'No-JS Team' }).count(), 1);
    await expectAccessible(page);
    await page.context().close();
  });

  test('with JavaScript on: the same form submits without a full reload', async () => {
    const page = await openPage(browser);
    await signIn(page, server.base, PROJECT_MANAGER);
    await page.goto(server.base + '/trusts/RMC');
    await waitForHydration(page);
    await page.evaluate(() => { window.__marker = 'same-document'; });

    await page.fill('#name', '   ');
    await page.fill('#min_cover', '9999');
    await page.click('button:has-text("Add team")');
    await page.locator('.nhsuk-error-summary').waitFor();
    assert.deepEqual(await page.locator('.nhsuk-error-summary__list a').allInnerTexts(), [
      'Enter a team name',
      'Minimum cover must be 500 or fewer',
    ]);
    assert.equal(await page.inputValue('#min_cover'), '9999');
    assert.equal(await page.evaluate(() => window.__marker), 'same-document', 'no full reload');
    await expectAccessible(page);

    // Saved: the island loads the page again (it is rendered on the server only, islands), so
    // the new row and the notice the server kept for that load show, as without JavaScript.
    await page.fill('#name', 'Hydrated Team');
    await page.fill('#min_cover', '3');
    await page.click('button:has-text("Add team")');
    await page.locator('.nhsuk-notification-banner--success').waitFor();
    await page.locator('tbody tr', { hasText: 'Hydrated Team' }).waitFor();
    assert.equal(await page.locator('.nhsuk-error-summary').count(), 0);
    await waitForHydration(page);
    assert.equal(await page.inputValue('#name'), '', 'the form is empty for the next team');
    await expectAccessible(page);
    await page.context().close();
  });
});
