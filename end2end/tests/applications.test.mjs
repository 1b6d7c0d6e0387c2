// The movement itself, in the browser: a nurse applies for a placement, her line manager
// releases her after looking at the team's cover, the host's lead accepts her, and the
// application is approved. With JavaScript on (ActionForms over fetch) and off (plain posts
// answered by 303), with axe on every page visited.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { expectAccessible, launchBrowser, openPage, signIn, startServer, waitForHydration } from './harness.mjs';

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

// Placements the demo's own applications leave a place in, each nurse's team able to spare her.
const MODES = [
  {
    js: false,
    nurse: 'nurse@r0a.nhs.example',
    manager: 'manager@r0a.nhs.example',
    placement: 'Acute oncology triage line: supervised practice',
    lead: 'lead@r0a.nhs.example',
  },
  {
    js: true,
    nurse: 'nurse@rm3.nhs.example',
    manager: 'manager@rm3.nhs.example',
    placement: 'Immunotherapy toxicity clinic',
    lead: 'lead@rbv.nhs.example',
  },
];

async function as(email, js) {
  const page = await openPage(browser, { javaScriptEnabled: js });
  await signIn(page, server.base, email);
  return page;
}

async function visit(page, js, path) {
  await page.goto(server.base + path);
  if (js) await waitForHydration(page);
}

for (const mode of MODES) {
  describe(`applying with JavaScript ${mode.js ? 'on' : 'off'}`, () => {
    test('apply, release after seeing the cover, accept: approved, each step on the timeline', async () => {
      const { js, placement: PLACEMENT } = mode;
      const nurse = await as(mode.nurse, js);
      await visit(nurse, js, `/placements?filtered=1&q=${encodeURIComponent(PLACEMENT)}`);
      await nurse.click(`.pp-results a:has-text("${PLACEMENT}")`);
      await nurse.getByRole('heading', { level: 1, name: PLACEMENT }).waitFor();
      if (js) await waitForHydration(nurse);

      // Nothing typed: the message beside the field, and nothing sent.
      await nurse.click('button:has-text("Apply")');
      await nurse.locator('#goals-error').waitFor();
      assert.equal(normalise(await nurse.locator('#goals-error').textContent()), 'Error: Enter what you want to learn');
      await expectAccessible(nurse);

      await nurse.fill('#goals', 'How a toxicity clinic grades and manages immune-related side effects.');
      await nurse.click('button:has-text("Apply")');
      await nurse.waitForURL(/\/applications\/\d+/);
      await nurse.locator('#application-state', { hasText: 'Waiting for release and acceptance' }).waitFor();
      const path = new URL(nurse.url()).pathname;
      assert.match(normalise(await nurse.locator('#waiting-on').innerText()), /their line manager and the host's placement lead/);
      await expectAccessible(nurse);
      await nurse.context().close();

      // The manager finds it waiting, sees the team's cover, and releases.
      const manager = await as(mode.manager, js);
      await visit(manager, js, '/applications');
      await manager.click(`a[href="${path}"]`);
      await manager.locator('#cover-after').waitFor();
      if (js) await waitForHydration(manager);
      assert.match(await manager.locator('#cover-after').innerText(), /would be on duty on the busiest day, against a minimum cover of 3/);
      await expectAccessible(manager);
      await manager.click('button:has-text("Release")');
      await manager.locator('#application-state', { hasText: 'Released, waiting for the host' }).waitFor();
      await manager.locator('.nhsuk-notification-banner--success').waitFor();
      await expectAccessible(manager);
      await manager.context().close();

      // The host's lead accepts: both have agreed, so it is approved.
      const lead = await as(mode.lead, js);
      await visit(lead, js, path);
      await lead.click('button:has-text("Accept")');
      await lead.locator('#application-state', { hasText: 'Approved' }).waitFor();
      const steps = await lead.locator('#timeline li strong').allInnerTexts();
      assert.deepEqual(steps, ['Applied', 'Released by the line manager', 'Accepted by the host', 'Approved']);
      await expectAccessible(lead);
      // The nurse has been told, in the app.
      await lead.context().close();
      const back = await as(mode.nurse, js);
      await visit(back, js, '/notifications');
      await back.locator('#notifications', { hasText: `The placement ${PLACEMENT} has been approved` }).waitFor();
      await expectAccessible(back);
      await back.context().close();
    });
  });
}
