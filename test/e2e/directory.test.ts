import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { readSheet } from 'read-excel-file/node';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, type TestContext } from 'vitest';
import { ARTIFACTS, chromiumAvailable, CHROMIUM, openTerminal, type BrowserTerminal } from './support/browser.ts';
import { byTestId, enrolInDemo, persianDigits, signIn, switchLanguage, text, typeLookup, waitForSync } from './support/counter-app.ts';
import { startDemoServer, type DemoServer } from './support/demo-server.ts';
import { freshPhone } from './support/server-state.ts';
import { buildWebApp, type WebBuild } from '../helpers/web-build.ts';

// Finding customers at the counter (issues 19.1, 17.5, 18.6) in one Chromium session against the real server:
// a middle name with a typo, "20 of 200+", the last 7 digits and a number without its 0, the member code
// (opens at once), the empty counter's Sign up with focus on Name, no "Create anyway" for a taken number, and
// the count in Persian. Then the customers list (19.2, 19.5): a saved group, a bulk tag and an export, in
// English and Persian. Steps build on each other, in order.

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
});

/** The number in the list's count ("57 customers", "۵۷ مشتری"). */
async function listCount(page: Page): Promise<number> {
  const shown = (await byTestId(page, 'customers-count').textContent()) ?? '';
  return Number(shown.replace(/[۰-۹]/g, (d) => String('۰۱۲۳۴۵۶۷۸۹'.indexOf(d))).replace(/\D/g, ''));
}

/** Clicks the export button and resolves to the downloaded file's bytes and name. */
async function exportDownload(page: Page): Promise<{ bytes: Buffer; name: string }> {
  const [download] = await Promise.all([page.waitForEvent('download'), byTestId(page, 'export').click()]);
  return { bytes: readFileSync((await download.path())!), name: download.suggestedFilename() };
}

describe('the customers list: saved groups, bulk actions and exports', () => {
  it('saves a filter as a group, tags every match, and exports them as CSV (en) and Excel (fa)', async (ctx) => {
    onFailureScreenshot(ctx);
    const page = till.page;
    await page.getByRole('button', { name: text('en', 'nav.signOut'), exact: true }).click();
    await signIn(page, server.manager);
    await page.locator('nav a[href="#/customers"]').click();
    await expect.poll(() => listCount(page)).toBeGreaterThan(200);
    const everyone = await listCount(page);

    // Regulars: at least 3 visits, most visits first.
    await page.locator('details.filters > summary').click();
    await byTestId(page, 'filter-visitsMin').fill('3');
    await expect.poll(() => listCount(page)).toBeLessThan(everyone);
    const regulars = await listCount(page);
    expect(regulars).toBeGreaterThan(0);
    await byTestId(page, 'sort-visits').click();
    await byTestId(page, 'sort-visits').click();
    // A reversed range is refused where it is typed, in the user's language, and changes nothing.
    await byTestId(page, 'filter-visitsMax').fill('2');
    await page.getByText(text('en', 'common:fields.RANGE_ORDER')).waitFor();
    expect(await listCount(page)).toBe(regulars);
    await byTestId(page, 'filter-visitsMax').fill('');

    await byTestId(page, 'group-name').fill('Regulars (e2e)');
    await page.getByRole('button', { name: text('en', 'customers:groups.saveNew') }).click();
    await byTestId(page, 'group-message').getByText(text('en', 'customers:groups.saved', { name: 'Regulars (e2e)' })).waitFor();
    expect(await page.evaluate(() => location.hash)).toMatch(/^#\/customers\?v=/);

    // Tag every match with one bulk command; the tag filter then finds the same customers.
    await byTestId(page, 'select-all').click();
    await byTestId(page, 'bulk-tag').fill('regular-e2e');
    await page.getByRole('button', { name: text('en', 'customers:bulk.addTag') }).click();
    await byTestId(page, 'bulk-message').getByText(text('en', `customers:bulk.tagged_${regulars === 1 ? 'one' : 'other'}`, { n: regulars, tag: 'regular-e2e' })).waitFor();
    await byTestId(page, 'filter-tags').fill('regular-e2e');
    await expect.poll(() => listCount(page)).toBe(regulars);

    // The selection as CSV: headers in English, one line per customer, formula-safe phones.
    const csv = await exportDownload(page);
    expect(csv.name).toMatch(/^patron-customers-\d{4}-\d{2}-\d{2}\.csv$/);
    const lines = csv.bytes.toString('utf8').replace(/^\uFEFF/, '').trimEnd().split('\r\n');
    expect(lines[0]).toContain(`${text('en', 'customers:exportColumns.name')},${text('en', 'customers:exportColumns.phone')}`);
    expect(lines).toHaveLength(regulars + 1);
    expect(lines[1]).toMatch(/,"'\+\d+",/);
    await till.screenshot('directory-customers-list-en.png', true);

    // The dashboard restricted to the group: its filter over the same statistics finds the same customers.
    await page.locator('nav a[href="#/analytics"]').click();
    await byTestId(page, 'analytics-group').selectOption({ label: 'Regulars (e2e)' });
    await expect.poll(() => byTestId(page, 'group-customers').locator('dd').textContent()).toBe(String(regulars));
    await page.goBack();
    await expect.poll(() => page.evaluate(() => location.hash)).toMatch(/^#\/customers\?v=/);
    await expect.poll(() => listCount(page)).toBe(regulars);

    // In Persian: the group is there for any manager; its customers' visits as Excel, headers in Persian.
    await switchLanguage(page, 'fa');
    await expect(byTestId(page, 'group-select').locator('option', { hasText: 'Regulars (e2e)' }).count()).resolves.toBe(1);
    await byTestId(page, 'export-kind').selectOption('visits');
    await byTestId(page, 'export-format').selectOption('xlsx');
    const xlsx = await exportDownload(page);
    expect(xlsx.name).toMatch(/\.xlsx$/);
    const sheet = await readSheet(xlsx.bytes);
    expect(sheet[0]).toContain(text('fa', 'customers:exportColumns.totalMinor'));
    expect(sheet.length - 1).toBeGreaterThanOrEqual(3 * regulars);
    await till.screenshot('directory-customers-list-fa.png', true);
    await switchLanguage(page, 'en');
  }, STEP);
});

