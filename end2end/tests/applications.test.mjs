// The movement itself, in the browser: a nurse applies for a placement, her line manager
// releases her after looking at the team's cover, the host's lead accepts her, and the
// application is approved; then, on the demo's placements already under way (the browser cannot
// wait for a start date), the host records the induction and the completion and both sides give
// their feedback. Each step's mail is read from a real SMTP server. With JavaScript on
// (ActionForms over fetch) and off (plain posts answered by 303), with axe on every page visited.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { expectAccessible, launchBrowser, openPage, signIn, startServer, waitForHydration } from './harness.mjs';

const normalise = (s) => s.replace(/\s+/g, ' ').trim();

let server;
let browser;

before(async () => {
  server = await startServer({ smtp: true });
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
// The demo's placements under way, per mode: the host whose lead records the induction and the
// completion, and the nurse (from another trust) on them.
const UNDER_WAY = [
  { js: false, lead: 'lead@r0a.nhs.example', nurse: 'nurse@rm3.nhs.example', name: 'Daniel Hughes' },
  { js: true, lead: 'lead@rm3.nhs.example', nurse: 'nurse@r0a.nhs.example', name: 'Asha Patel' },
];

/** Mail to `address` whose subject is `subject`, once it has arrived. */
async function mailTo(address, subject) {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const found = server.mailbox
      .messages()
      .find((m) => m.to.toLowerCase().includes(address) && m.subject === subject);
    if (found) return found;
    if (Date.now() > deadline) throw new Error(`no mail "${subject}" to ${address} arrived`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

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

      // The manager is told by mail, with a link to the application; finds it waiting, sees
      // the team's cover, and releases.
      const request = await mailTo(mode.manager, 'A release request from your team');
      assert.ok(request.body.includes(path), request.body);
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
      // And by mail.
      const approved = await mailTo(mode.nurse, 'A placement has been approved');
      assert.ok(approved.body.includes(`The placement ${PLACEMENT} has been approved`), approved.body);
    });
  });
}

/** Opens the row of the lead's "waiting for a decision" list whose state is `state`. */
async function openWaiting(lead, js, state) {
  await visit(lead, js, '/applications');
  await lead.click(`tr:has(strong.nhsuk-tag:text-is("${state}")) a`);
  await lead.locator('#application-state', { hasText: state }).waitFor();
  if (js) await waitForHydration(lead);
}

for (const mode of UNDER_WAY) {
  describe(`a placement under way with JavaScript ${mode.js ? 'on' : 'off'}`, () => {
    test('the host records the induction, then the completion; both sides give feedback once', async () => {
      const { js } = mode;
      const lead = await as(mode.lead, js);
      // Started two days ago: the induction is due.
      await openWaiting(lead, js, 'Approved');
      await expectAccessible(lead);
      await lead.click('button:has-text("Record induction")');
      await lead.locator('#application-state', { hasText: 'Induction done' }).waitFor();
      assert.ok((await lead.locator('#timeline li strong').allInnerTexts()).includes('Induction done'));
      await mailTo(mode.nurse, 'Induction recorded');

      // Ended two days ago: the completion is due.
      await openWaiting(lead, js, 'Induction done');
      await lead.click('button:has-text("Record completion")');
      await lead.locator('#application-state', { hasText: 'Completed' }).waitFor();
      const path = new URL(lead.url()).pathname;
      // Both sides are asked for their feedback, in the app and by mail.
      const ask = await mailTo(mode.nurse, 'Your feedback on a placement');
      assert.ok(ask.body.includes(path), ask.body);
      await mailTo(mode.lead, 'Your feedback on a placement');

      // The lead's feedback: nothing chosen gives each field its message, and nothing is saved.
      if (js) await waitForHydration(lead);
      await lead.click('button:has-text("Give feedback")');
      await lead.locator('#rating-error').waitFor();
      await expectAccessible(lead);
      await lead.selectOption('#outcomes_met', 'all');
      await lead.selectOption('#rating', '5');
      await lead.selectOption('#would_recommend', 'yes');
      await lead.fill('#comments', 'Asked good questions on the triage line.');
      await lead.click('button:has-text("Give feedback")');
      await lead.locator('dd', { hasText: 'Asked good questions on the triage line.' }).waitFor();
      assert.equal(await lead.locator('button:has-text("Give feedback")').count(), 0, 'feedback is given once');
      await expectAccessible(lead);
      await lead.context().close();

      // The nurse gives hers from the link in the mail.
      const nurse = await as(mode.nurse, js);
      await visit(nurse, js, path);
      await nurse.selectOption('#outcomes_met', 'some');
      await nurse.selectOption('#rating', '4');
      await nurse.selectOption('#would_recommend', 'yes');
      await nurse.click('button:has-text("Give feedback")');
      await nurse.locator('dd', { hasText: '4 out of 5' }).waitFor();
      assert.equal(await nurse.locator('button:has-text("Give feedback")').count(), 0);
      assert.equal(normalise(await nurse.locator('#application-state').innerText()), 'Completed');
      await expectAccessible(nurse);
      await nurse.context().close();
    });
  });
}
