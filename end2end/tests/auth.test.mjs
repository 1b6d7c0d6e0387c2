// Signing in and out, resetting a password through a real mailbox, and a people form that
// needs a signed-in HR officer: each with JavaScript on (Leptos ActionForms over fetch) and off
// (plain posts answered by 303 redirects).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  DEMO_PASSWORD,
  expectAccessible,
  launchBrowser,
  openPage,
  signIn,
  startServer,
  waitForHydration,
  watchErrors,
} from './harness.mjs';

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

// Each mode uses its own accounts, so one test's password change or failed attempts cannot
// affect another (five failures on one account within 15 minutes lock it).
const MODES = [
  {
    name: 'with JavaScript on',
    js: true,
    signInAs: { email: 'lead@r0a.nhs.example', name: 'Grace Okafor' },
    signOutAs: { email: 'manager@r0a.nhs.example', name: 'Tom Byrne' },
    resetFor: { email: 'nurse@r0a.nhs.example', name: 'Asha Patel' },
    newPerson: { name: 'Jordan Ellis', email: 'jordan.ellis@r0a.nhs.example' },
  },
  {
    name: 'with JavaScript off',
    js: false,
    signInAs: { email: 'lead@rm3.nhs.example', name: 'Owen Price' },
    signOutAs: { email: 'manager@rm3.nhs.example', name: 'Fatima Begum' },
    resetFor: { email: 'nurse@rm3.nhs.example', name: 'Daniel Hughes' },
    newPerson: { name: 'Morgan Reid', email: 'morgan.reid@r0a.nhs.example' },
  },
];

const HR_OFFICER = { email: 'hr@r0a.nhs.example', name: 'Helen Walsh' };

/** A fresh context for the mode; with JavaScript on, script errors and CSP violations are kept. */
async function open(mode) {
  const page = await openPage(browser, mode.js ? {} : { javaScriptEnabled: false });
  return { page, errors: watchErrors(page) };
}

/** Goes to `path` and, with JavaScript on, waits until the app can take input. */
async function load(page, mode, path) {
  await page.goto(server.base + path);
  await afterNavigation(page, mode);
}

async function afterNavigation(page, mode) {
  if (mode.js) await waitForHydration(page);
}

async function markDocument(page, mode) {
  if (mode.js) await page.evaluate(() => { window.__marker = 'same-document'; });
}

async function assertSameDocument(page, mode) {
  if (mode.js) assert.equal(await page.evaluate(() => window.__marker), 'same-document', 'no full reload');
}

async function summaryItems(page) {
  await page.locator('.nhsuk-error-summary').waitFor();
  assert.equal(normalise(await page.locator('.nhsuk-error-summary__heading').innerText()), 'There is a problem');
  return (await page.locator('.nhsuk-error-summary__list a').allInnerTexts()).map(normalise);
}

async function fieldError(page, field) {
  return normalise(await page.locator(`#${field}-error`).innerText());
}

async function successBanner(page) {
  const banner = page.locator('.nhsuk-notification-banner--success .nhsuk-notification-banner__heading');
  await banner.waitFor();
  return normalise(await banner.innerText());
}

/** With JavaScript on the error summary takes focus, as the NHS design system asks. */
async function assertSummaryFocused(page, mode) {
  if (!mode.js) return;
  await page.waitForFunction(() => document.activeElement?.classList.contains('nhsuk-error-summary'));
}

async function assertSignedInHeader(page, name) {
  const account = page.getByRole('navigation', { name: 'Account' });
  await account.getByText(name, { exact: true }).waitFor();
  await account.getByRole('button', { name: 'Sign out' }).waitFor();
  assert.equal(await account.getByRole('link', { name: 'Sign in' }).count(), 0);
}

async function assertSignedOutHeader(page) {
  const account = page.getByRole('navigation', { name: 'Account' });
  await account.getByRole('link', { name: 'Sign in' }).waitFor();
  assert.equal(await account.getByRole('button', { name: 'Sign out' }).count(), 0);
}

/** The set-password link in an email: on this server, with a 64-hex-digit token. */
function linkIn(mail) {
  const found = mail.body.match(/https?:\/\/[^\s<>"]+\/set-password\?token=[0-9a-f]+/);
  assert.ok(found, `a set-password link in:\n${mail.body}`);
  const link = found[0];
  assert.match(link, /\/set-password\?token=[0-9a-f]{64}$/);
  assert.ok(link.startsWith(`${server.base}/set-password?token=`), `${link} points at this server`);
  return link;
}

for (const mode of MODES) {
  describe(`signing in and out ${mode.name}`, () => {
    test('a wrong password is refused with its message beside the email; the email is kept, the password is not', async () => {
      const { email } = mode.signInAs;
      const { page, errors } = await open(mode);
      await load(page, mode, '/sign-in');
      await assertSignedOutHeader(page);
      await markDocument(page, mode);

      await page.fill('#email', email);
      await page.fill('#password', 'not-the-right-password');
      await page.click('button:has-text("Sign in")');
      assert.deepEqual(await summaryItems(page), ['Enter a correct email address and password']);
      assert.equal(await fieldError(page, 'email'), 'Error: Enter a correct email address and password');
      assert.equal(await page.inputValue('#email'), email, 'the email is kept');
      assert.equal(new URL(page.url()).pathname, '/sign-in');
      await assertSignedOutHeader(page);
      await assertSummaryFocused(page, mode);
      await assertSameDocument(page, mode);
      await afterNavigation(page, mode);
      await expectAccessible(page);
      assert.deepEqual(errors, [], 'no script errors and no CSP violations');
      assert.equal(await page.inputValue('#password'), '', 'the password field is emptied');
      await page.context().close();
    });

    test('the right password signs in: the header shows the name and the home page "Your work"', async () => {
      const { email, name } = mode.signInAs;
      const { page, errors } = await open(mode);
      await load(page, mode, '/sign-in');
      await page.fill('#email', email);
      await page.fill('#password', DEMO_PASSWORD);
      await page.click('button:has-text("Sign in")');
      await page.waitForURL(`${server.base}/`);
      await afterNavigation(page, mode);
      await page.getByRole('heading', { level: 1, name: `Your work, ${name}` }).waitFor();
      await assertSignedInHeader(page, name);
      await expectAccessible(page);

      // The session cookie signs in the next page load too.
      await load(page, mode, '/trusts');
      await assertSignedInHeader(page, name);
      assert.deepEqual(errors, [], 'no script errors and no CSP violations');
      await page.context().close();
    });

    test('signing out ends the session and says so', async () => {
      const { email, name } = mode.signOutAs;
      const { page, errors } = await open(mode);
      await signIn(page, server.base, email);
      await afterNavigation(page, mode);
      await assertSignedInHeader(page, name);

      await page.getByRole('button', { name: 'Sign out' }).click();
      await page.waitForURL(`${server.base}/sign-in`);
      await afterNavigation(page, mode);
      assert.equal(await successBanner(page), 'You have signed out');
      await assertSignedOutHeader(page);
      await expectAccessible(page);

      await load(page, mode, '/');
      await page.getByRole('heading', { level: 1, name: 'Placement Passport' }).waitFor();
      assert.equal(await page.getByRole('heading', { name: /^Your work/ }).count(), 0);
      await assertSignedOutHeader(page);
      assert.deepEqual(errors, [], 'no script errors and no CSP violations');
      await page.context().close();
    });
  });

  // One journey in steps, each its own test, so a failing step still lets the later ones run.
  describe(`resetting a forgotten password ${mode.name}`, () => {
    const { email, name } = mode.resetFor;
    const newPassword = `correct horse battery staple ${mode.js ? 'on' : 'off'}`;
    let link;

    test('asking for a link: a malformed address is refused, a real one is answered and emailed', async () => {
      const { page, errors } = await open(mode);
      await load(page, mode, '/sign-in');
      await page.getByRole('link', { name: 'I have forgotten my password' }).click();
      await page.waitForURL(`${server.base}/forgot-password`);
      await afterNavigation(page, mode);
      await page.getByRole('heading', { level: 1, name: 'Reset your password' }).waitFor();
      await markDocument(page, mode);

      await page.fill('#email', 'not-an-email');
      await page.click('button:has-text("Send the link")');
      assert.deepEqual(await summaryItems(page), [
        'Enter an email address in the correct format, like name@example.nhs.uk',
      ]);
      assert.equal(
        await fieldError(page, 'email'),
        'Error: Enter an email address in the correct format, like name@example.nhs.uk',
      );
      assert.equal(await page.inputValue('#email'), 'not-an-email');
      await assertSummaryFocused(page, mode);
      await assertSameDocument(page, mode);
      await afterNavigation(page, mode);
      await expectAccessible(page);

      const before = server.mailbox.countTo(email);
      await page.fill('#email', email);
      await page.click('button:has-text("Send the link")');
      await page.locator('.nhsuk-error-summary').waitFor({ state: 'detached' });
      const sent = await successBanner(page);
      assert.ok(
        sent.startsWith(`If ${email} has a Placement Passport account, we have sent it a link`),
        `banner: ${sent}`,
      );
      await assertSameDocument(page, mode);
      await afterNavigation(page, mode);
      await expectAccessible(page);

      const mail = await server.mailbox.waitForMessageTo(email, before);
      assert.match(mail.subject, /password/i);
      link = linkIn(mail);
      assert.deepEqual(errors, [], 'no script errors and no CSP violations');
      await page.context().close();
    });

    test('the emailed link: a too-short password is refused beside its field', async () => {
      assert.ok(link, 'the link from the email');
      const { page, errors } = await open(mode);
      await page.goto(link);
      await afterNavigation(page, mode);
      await page.getByRole('heading', { level: 1, name: 'Choose a new password' }).waitFor();
      assert.ok(normalise(await page.locator('main').innerText()).includes(`For the account ${email}.`));
      await markDocument(page, mode);

      await page.fill('#password', 'too short');
      await page.fill('#confirm', 'too short');
      await page.click('button:has-text("Save password")');
      assert.deepEqual(await summaryItems(page), ['Password must be 15 characters or more']);
      assert.equal(await fieldError(page, 'password'), 'Error: Password must be 15 characters or more');
      await page.getByRole('heading', { level: 1, name: 'Choose a new password' }).waitFor();
      await assertSummaryFocused(page, mode);
      await assertSameDocument(page, mode);
      await afterNavigation(page, mode);
      await expectAccessible(page);
      assert.deepEqual(errors, [], 'no script errors and no CSP violations');
      await page.context().close();
    });

    test('a good password is saved, and the sign-in page says it has changed', async () => {
      assert.ok(link, 'the link from the email');
      const { page, errors } = await open(mode);
      await page.goto(link);
      await afterNavigation(page, mode);
      await page.getByRole('heading', { level: 1, name: 'Choose a new password' }).waitFor();
      await page.fill('#password', newPassword);
      await page.fill('#confirm', newPassword);
      await page.click('button:has-text("Save password")');
      await page.waitForURL(`${server.base}/sign-in`);
      await afterNavigation(page, mode);
      await page.getByRole('heading', { level: 1, name: 'Sign in' }).waitFor();
      assert.deepEqual(errors, [], 'no script errors and no CSP violations');
      assert.equal(await successBanner(page), 'Your password has been changed. Sign in with your new password');
      await page.context().close();
    });

    test('the new password signs in, the old one does not, and the link worked only once', async () => {
      assert.ok(link, 'the link from the email');
      const { page, errors } = await open(mode);
      await load(page, mode, '/sign-in');

      // One failed attempt on this account.
      await page.fill('#email', email);
      await page.fill('#password', DEMO_PASSWORD);
      await page.click('button:has-text("Sign in")');
      assert.deepEqual(await summaryItems(page), ['Enter a correct email address and password']);
      await afterNavigation(page, mode);

      await page.fill('#email', email);
      await page.fill('#password', newPassword);
      await page.click('button:has-text("Sign in")');
      await page.waitForURL(`${server.base}/`);
      await afterNavigation(page, mode);
      await page.getByRole('heading', { level: 1, name: `Your work, ${name}` }).waitFor();
      await assertSignedInHeader(page, name);

      await page.goto(link);
      await afterNavigation(page, mode);
      await page.getByRole('heading', { level: 1, name: 'This link does not work' }).waitFor();
      await page.getByRole('link', { name: 'Ask for a new password reset link' }).waitFor();
      assert.deepEqual(errors, [], 'no script errors and no CSP violations');
      await page.context().close();
    });
  });

  describe(`adding a person ${mode.name}`, () => {
    test('sign in to reach it, errors beside the fields with typed values kept, then the person is added and invited', async () => {
      const { page, errors } = await open(mode);

      // Not signed in: the page sends you to sign in, and back again afterwards.
      await page.goto(`${server.base}/people/new`);
      await page.waitForURL((url) => url.pathname === '/sign-in' && url.searchParams.get('next') === '/people/new');
      await afterNavigation(page, mode);
      await page.fill('#email', HR_OFFICER.email);
      await page.fill('#password', DEMO_PASSWORD);
      await page.click('button:has-text("Sign in")');
      await page.waitForURL(`${server.base}/people/new`);
      await afterNavigation(page, mode);
      await page.getByRole('heading', { level: 1, name: 'Add a person' }).waitFor();
      await assertSignedInHeader(page, HR_OFFICER.name);
      await markDocument(page, mode);

      await page.fill('#name', '');
      await page.fill('#email', 'not-an-email');
      await page.selectOption('#pay_band', '6');
      await page.selectOption('#registration_body', 'NMC');
      await page.fill('#registration_number', '123');
      await page.click('button:has-text("Add and invite")');
      assert.deepEqual(await summaryItems(page), [
        'Enter a full name',
        'Enter an email address in the correct format, like name@example.nhs.uk',
        'Enter an NMC PIN like 12A3456E',
      ]);
      assert.equal(await fieldError(page, 'name'), 'Error: Enter a full name');
      assert.equal(
        await fieldError(page, 'email'),
        'Error: Enter an email address in the correct format, like name@example.nhs.uk',
      );
      assert.equal(await fieldError(page, 'registration_number'), 'Error: Enter an NMC PIN like 12A3456E');
      assert.equal(await page.inputValue('#email'), 'not-an-email');
      assert.equal(await page.inputValue('#pay_band'), '6');
      assert.equal(await page.inputValue('#registration_body'), 'NMC');
      assert.equal(await page.inputValue('#registration_number'), '123');
      assert.equal(new URL(page.url()).pathname, '/people/new');
      await assertSummaryFocused(page, mode);
      await assertSameDocument(page, mode);
      await afterNavigation(page, mode);
      await expectAccessible(page);

      const { name, email } = mode.newPerson;
      await page.fill('#name', name);
      await page.fill('#email', email);
      await page.fill('#registration_number', '12A3456E');
      await page.click('button:has-text("Add and invite")');
      await page.waitForURL(new RegExp(`^${server.base}/people/\\d+\\?added=1$`));
      await afterNavigation(page, mode);
      await page.getByRole('heading', { level: 1, name }).waitFor();
      assert.equal(
        await successBanner(page),
        'Person added. We have emailed them an invitation to create a password',
      );
      // The person's page is rendered on the server only (its forms are islands), so with
      // JavaScript on the form loads it in full once the person is added, as without.

      const invitation = await server.mailbox.waitForMessageTo(email);
      linkIn(invitation);

      await load(page, mode, '/people');
      await page.getByRole('heading', { level: 1, name: 'People' }).waitFor();
      const row = page.locator('tbody tr', { hasText: email });
      await row.waitFor();
      assert.match(normalise(await row.innerText()), /Invited/);
      await expectAccessible(page);
      assert.deepEqual(errors, [], 'no script errors and no CSP violations');
      await page.context().close();
    });
  });
}
