import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, type TestContext } from 'vitest';
import { ARTIFACTS, chromiumAvailable, CHROMIUM, openTerminal, type BrowserTerminal } from './support/browser.ts';
import { byTestId, enrolInDemo, persianDigits, signIn, switchLanguage, text, typeLookup, waitForSync } from './support/counter-app.ts';
import { startDemoServer, type DemoServer } from './support/demo-server.ts';
import { freshPhone } from './support/server-state.ts';
import { buildWebApp, type WebBuild } from '../helpers/web-build.ts';

// Finding customers at the counter (issues 19.1, 17.5, 18.6) in one Chromium session against the real server:
// a middle name with a typo, "20 of 200+", the last 7 digits and a number without its 0, the member code
// (opens at once), the empty counter's Sign up with focus on Name, no "Create anyway" for a taken number, and
// the count in Persian; the profile (issue 19.3, 19.6): edit the new fields with a refused second phone, a
// catalogue tag as a coloured chip, a note in the timeline and a consent change, in English and Persian. Steps
// build on each other, in order.

const STEP = 120_000;

let web: WebBuild;
let server: DemoServer;
let till: BrowserTerminal;
const state = { id: '', typed: '', code: '' };

function onFailureScreenshot(ctx: TestContext): void {
  ctx.onTestFailed(async () => {
    const name = ctx.task.name.replace(/[^a-z0-9]+/gi, '-').slice(0, 60);
    await till?.screenshot(`FAILED-directory-${name}.png`, true).catch(() => {});
    if (till) writeFileSync(path.join(ARTIFACTS, `FAILED-directory-${name}.log`), till.problems.join('\n'));
  });
}

beforeAll(async () => {
  if (!chromiumAvailable()) throw new Error(`no Chromium at ${CHROMIUM}: apt-get install -y chromium (or set PATRON_CHROMIUM)`);
  mkdirSync(ARTIFACTS, { recursive: true });
  web = await buildWebApp();
  // More than 200 Iranian mobiles, so "09" matches more than the count goes.
  server = await startDemoServer({ webRoot: web.dir, customers: 240 });
  till = await openTerminal('directory');
  await enrolInDemo(till.page, server.url);
  await signIn(till.page, server.cashier);
  await waitForSync(till.page, { initialSync: 'done', connection: 'online' });
}, STEP);

afterAll(async () => {
  await till?.close();
  await server?.dispose();
  web?.remove();
});

const lookupCount = () => byTestId(till.page, 'lookup-count');
const resultIds = () => till.page.locator('[data-testid="lookup-result"]').evaluateAll((rows) => rows.map((row) => row.getAttribute('data-customer-id')));

describe('the customer directory at the counter', () => {
  it('signs up from the empty counter with focus on Name; a taken number offers no "Create anyway"', async (ctx) => {
    onFailureScreenshot(ctx);
    const page = till.page;
    await byTestId(page, 'empty-sign-up').click();
    const form = byTestId(page, 'signup-form');
    await form.waitFor();
    await expect.poll(() => page.evaluate(() => document.activeElement?.id)).toBe('signup-name');
    const phone = await freshPhone(server.db(), server.demo.merchantId, '0912');
    state.typed = phone.typed;
    await form.locator('#signup-name').fill('Ali Reza Mohammadi');
    await form.locator('#signup-phone').fill(phone.typed);
    await form.getByRole('button', { name: text('en', 'counter:signUpSubmit') }).click();
    const card = byTestId(page, 'customer-card');
    await card.waitFor();
    state.id = (await card.getAttribute('data-customer-id')) ?? '';
    state.code = (await byTestId(page, 'member-code').getAttribute('data-code')) ?? '';
    expect(state.code).toMatch(/^\d+-\d{5,}$/);

    // The same number again, under another name: only "open existing".
    await typeLookup(page, phone.typed);
    await page.getByRole('button', { name: text('en', 'counter:signUpOther') }).click();
    await form.waitFor();
    await form.locator('#signup-name').fill('Someone Else');
    await form.getByRole('button', { name: text('en', 'counter:signUpSubmit') }).click();
    await byTestId(page, 'duplicates').getByText(text('en', 'counter:duplicateSamePhone')).waitFor();
    await expect(page.getByRole('button', { name: text('en', 'counter:createAnyway') }).count()).resolves.toBe(0);
    await form.getByRole('button', { name: text('en', 'common:cancel') }).click();
  }, STEP);

  it('finds a middle name with a typo, the last 7 digits and a number without its leading 0', async (ctx) => {
    onFailureScreenshot(ctx);
    const national = state.typed; // 0912xxxxxxx
    for (const typed of ['Rezza', 'mohammadi ali', national.slice(-7), national.slice(1, 8)]) {
      await typeLookup(till.page, typed);
      await expect.poll(resultIds, { message: typed }).toContain(state.id);
    }
  }, STEP);

  it('says "20 of 200+, keep typing" when more match than are shown', async (ctx) => {
    onFailureScreenshot(ctx);
    await typeLookup(till.page, '09');
    await expect.poll(() => lookupCount().textContent()).toBe(text('en', 'counter:resultCountPartial', { shown: 20, total: '200+' }));
    await expect(till.page.locator('[data-testid="lookup-result"]').count()).resolves.toBe(20);
  }, STEP);

  it('opens a customer at once when their member code is typed, as a scanner does', async (ctx) => {
    onFailureScreenshot(ctx);
    const page = till.page;
    await byTestId(page, 'lookup-input').press('Escape');
    await typeLookup(page, '0935'); // another customer's card is open first
    await page.locator('[data-testid="lookup-result"]').first().click();
    // The card settles (and the lookup field with it) before the scanner types, as at a real counter.
    await page.locator('[data-testid="customer-card"]').waitFor();
    await typeLookup(page, state.code);
    await page.locator(`[data-testid="customer-card"][data-customer-id="${state.id}"]`).waitFor();
    await page.getByRole('button', { name: text('en', 'counter:memberCardShow') }).click();
    await byTestId(page, 'member-card').locator('svg').waitFor();
    await till.screenshot('directory-member-card-en.png', true);
  }, STEP);

  it('counts in Persian, and finds the member code typed in Persian digits', async (ctx) => {
    onFailureScreenshot(ctx);
    const page = till.page;
    await switchLanguage(page, 'fa');
    await typeLookup(page, '۰۹');
    await expect.poll(() => lookupCount().textContent()).toBe(text('fa', 'counter:resultCountPartial', { shown: persianDigits('20'), total: `${persianDigits('200')}+` }));
    await byTestId(page, 'lookup-input').press('Escape');
    await typeLookup(page, persianDigits(state.code));
    await expect.poll(resultIds).toEqual([state.id]);
    await switchLanguage(page, 'en');
  }, STEP);

  it('edits the profile, adds notes and records consent, in English and in Persian', async (ctx) => {
    onFailureScreenshot(ctx);
    const page = till.page;
    await byTestId(page, 'lookup-input').press('Escape');
    await typeLookup(page, state.code);
    const card = page.locator(`[data-testid="customer-card"][data-customer-id="${state.id}"]`);
    await card.waitFor();

    // A second number that is not one: refused inline, in the cashier's language, nothing saved.
    await card.getByRole('button', { name: text('en', 'counter:edit') }).click();
    const form = card.getByRole('form', { name: text('en', 'counter:editTitle') });
    await form.locator('#edit-phone2').fill('0912');
    await form.getByRole('button', { name: text('en', 'counter:save') }).click();
    await form.getByText(text('en', 'common:fields.INVALID_PHONE_FORMAT')).waitFor();
    const phone2 = await freshPhone(server.db(), server.demo.merchantId, '0935');
    await form.locator('#edit-phone2').fill(phone2.typed);
    await form.locator('#edit-company').fill('Sol Co');
    await form.locator('#edit-address').fill('12 Valiasr St, Tehran');
    await form.locator('#edit-source').selectOption('referral');
    await form.locator('#edit-channel').selectOption('sms');
    await form.locator('label', { hasText: 'VIP' }).click();
    await form.getByRole('button', { name: text('en', 'counter:save') }).click();
    await card.locator('[data-testid="fact-company"]').getByText('Sol Co').waitFor();
    await card.locator('.tag-chip.tag-purple[data-tag="VIP"]').first().waitFor();

    await card.locator('#add-note').fill('Likes the window seat');
    await card.getByRole('button', { name: text('en', 'counter:addNoteButton') }).click();
    await card.locator('[data-testid="timeline-note"]').filter({ hasText: 'Likes the window seat' }).waitFor();
    await card.locator('[data-testid="consent-sms-toggle"]').click();
    await expect.poll(() => card.locator('[data-testid="consent-sms"]').getAttribute('data-granted')).toBe('true');
    await till.screenshot('directory-profile-en.png', true);

    await switchLanguage(page, 'fa');
    await card.locator('#add-note').fill('قهوه بدون شکر');
    await card.getByRole('button', { name: text('fa', 'counter:addNoteButton') }).click();
    await card.locator('[data-testid="timeline-note"]').filter({ hasText: 'قهوه بدون شکر' }).waitFor();
    await card.locator('[data-testid="consent-sms-toggle"]').click();
    await expect.poll(() => card.locator('[data-testid="consent-sms"]').getAttribute('data-granted')).toBe('false');
    await card.locator('[data-testid="consent-sms"]').getByText(text('fa', 'counter:consentState.sms.none')).waitFor();
    await card.locator('.consent-history summary').click();
    await expect(card.locator('[data-testid="consent-entry"]').count()).resolves.toBe(2);
    await till.screenshot('directory-profile-fa.png', true);
    await switchLanguage(page, 'en');
  }, STEP);
});
