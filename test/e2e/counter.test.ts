import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { strFromU8, unzipSync } from 'fflate';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, type TestContext } from 'vitest';
import { ARTIFACTS, chromiumAvailable, CHROMIUM, openTerminal, realProblems, type BrowserTerminal } from './support/browser.ts';
import {
  byTestId, enrolInDemo, openFromResults, persianDigits, recordVisit, signIn, signUp, switchLanguage, text,
  typeLookup, waitForPoints, waitForSync,
} from './support/counter-app.ts';
import { startDemoServer, type DemoServer } from './support/demo-server.ts';
import { customerOnServer, demoCustomer, freshPhone, inboxItems, visitsOnServer, type DemoCustomer } from './support/server-state.ts';
import { buildWebApp, type WebBuild } from '../helpers/web-build.ts';

// The counter and the manager's desk end to end (issue 5 item 9, issue 7 item 5): the production web build
// served by the real sync server (PGlite in a data folder, the demo merchant, as `npm start` runs it), driven in
// Debian's Chromium. Terminals are separate browser profiles, so each has its own IndexedDB replica. The steps
// build on each other, in order; screenshots land in test-results/e2e/.

const STEP = 120_000;

let web: WebBuild;
let server: DemoServer;
let tillA: BrowserTerminal;
let tillB: BrowserTerminal | undefined;
let customer: DemoCustomer;
const state = { balance: 0, offlineAmount: 77_000, signedUpId: '' };

/** On failure, a screenshot and the console problems of every open terminal (named after the step) join the artifacts. */
function onFailureScreenshots(ctx: TestContext): void {
  ctx.onTestFailed(async () => {
    const name = ctx.task.name.replace(/[^a-z0-9]+/gi, '-').slice(0, 60);
    for (const terminal of [tillA, tillB]) {
      if (!terminal) continue;
      await terminal.screenshot(`FAILED-${name}-${terminal.name}.png`, true).catch(() => {});
      writeFileSync(path.join(ARTIFACTS, `FAILED-${name}-${terminal.name}.log`), terminal.problems.join('\n'));
    }
  });
}

beforeAll(async () => {
  if (!chromiumAvailable()) throw new Error(`no Chromium at ${CHROMIUM}: apt-get install -y chromium (or set PATRON_CHROMIUM)`);
  mkdirSync(ARTIFACTS, { recursive: true });
  for (const file of readdirSync(ARTIFACTS)) if (file.startsWith('FAILED-')) rmSync(path.join(ARTIFACTS, file));
  web = await buildWebApp();
  server = await startDemoServer({ webRoot: web.dir, customers: 150 });
  customer = await demoCustomer(server.db(), server.demo.merchantId);
  tillA = await openTerminal('till-a');
}, STEP);

afterAll(async () => {
  await tillB?.close();
  await tillA?.close();
  await server?.dispose();
  web?.remove();
});

describe('the counter in Chromium against the real server', () => {
  it('enrols in one click on this machine and signs the cashier in with the PIN pad', async (ctx) => {
    onFailureScreenshots(ctx);
    await enrolInDemo(tillA.page, server.url);
    await signIn(tillA.page, server.cashier);
    await waitForSync(tillA.page, { initialSync: 'done', connection: 'online' });
    const { rows } = await server.db().query<{ n: number }>(`SELECT count(*)::int AS n FROM terminals WHERE merchant_id = $1 AND revoked_at IS NULL`, [server.demo.merchantId]);
    expect(rows[0]?.n).toBe(1);
    await expect(tillA.page.locator('.staff-name').textContent()).resolves.toBe(server.cashier.name);
  }, STEP);

  it('finds a demo customer by the last four digits of their phone and opens the card', async (ctx) => {
    onFailureScreenshots(ctx);
    const page = tillA.page;
    await typeLookup(page, customer.lastFour);
    const result = page.locator(`[data-testid="lookup-result"][data-customer-id="${customer.id}"]`);
    await expect(result.locator('.lookup-result-name').textContent()).resolves.toBe(customer.name);
    await openFromResults(page, customer.id);
    await expect(page.locator('#customer-name').textContent()).resolves.toBe(customer.name);
    // The card's balance is the server's ledger for this customer, computed on the device.
    await waitForPoints(page, customer.balance);
    state.balance = customer.balance;
  }, STEP);

  it('signs a new customer up, after an inline error in English for a too-short name', async (ctx) => {
    onFailureScreenshots(ctx);
    const page = tillA.page;
    const phone = await freshPhone(server.db(), server.demo.merchantId, '0912');
    await typeLookup(page, phone.typed);
    await page.getByText(text('en', 'counter:noMatch')).waitFor();
    await byTestId(page, 'lookup-input').press('Enter');
    const form = byTestId(page, 'signup-form');
    await form.waitFor();
    await expect(form.locator('#signup-phone').inputValue()).resolves.toBe(phone.typed);

    await form.locator('#signup-name').fill('Al');
    await form.getByRole('button', { name: text('en', 'counter:signUpSubmit') }).click();
    await expect(form.locator('#signup-name-error').textContent()).resolves.toBe(text('en', 'common:errors.INVALID_NAME'));
    await expect(form.locator('#signup-name').getAttribute('aria-invalid')).resolves.toBe('true');

    state.signedUpId = await signUp(page, { name: 'Mina Rahnama' });
    await expect(page.locator('#customer-name').textContent()).resolves.toBe('Mina Rahnama');
    await waitForSync(page, { pending: 0, connection: 'online' });
    await expect.poll(async () => (await customerOnServer(server.db(), server.demo.merchantId, state.signedUpId))?.phone, { timeout: 15_000 }).toBe(phone.e164);
  }, STEP);

  it('records a visit and shows the points it earned on the card', async (ctx) => {
    onFailureScreenshots(ctx);
    const page = tillA.page;
    await typeLookup(page, customer.lastFour);
    await openFromResults(page, customer.id);
    await waitForPoints(page, state.balance);
    const earned = await recordVisit(page, '125000');
    state.balance += earned;
    await waitForPoints(page, state.balance);
    await waitForSync(page, { pending: 0, connection: 'online' });
    await expect.poll(async () => (await visitsOnServer(server.db(), server.demo.merchantId, customer.id)).filter((v) => v.total === 125_000).length, { timeout: 15_000 }).toBe(1);
    await tillA.screenshot('counter-en.png', true);
  }, STEP);

  it('keeps working with the server stopped: a visit is recorded offline and waits to sync', async (ctx) => {
    onFailureScreenshots(ctx);
    const page = tillA.page;
    await server.stop();
    // The bar is always visible and must not keep saying "online": writes made now are stamped with it
    // (ledger entries carry `offline`, which the offline redemption cap depends on).
    const noticed = await waitForSync(page, { connection: 'offline' }, 10_000).then(() => true, () => false);
    expect.soft(noticed, 'the status bar still says "online" 10 s after the server stopped (nothing was written yet)').toBe(true);
    // The lookup and the card still work: they read the local replica.
    await typeLookup(page, customer.lastFour);
    await openFromResults(page, customer.id);
    await waitForPoints(page, state.balance);
    const earned = await recordVisit(page, String(state.offlineAmount));
    state.balance += earned;
    await waitForPoints(page, state.balance);
    await waitForSync(page, { connection: 'offline', pending: 'some' }, 30_000);
    await expect(byTestId(page, 'customer-points').getAttribute('data-unsynced')).resolves.not.toBe('0');
    await expect(byTestId(page, 'sync-status').textContent()).resolves.toContain(text('en', 'status:connection.offline'));
    await tillA.screenshot('counter-offline-en.png', true);
  }, STEP);

  it('delivers the offline visit when the server is back, and a second terminal shows it', async (ctx) => {
    onFailureScreenshots(ctx);
    await server.start();
    await waitForSync(tillA.page, { pending: 0, connection: 'online' }, 60_000);
    const visits = await visitsOnServer(server.db(), server.demo.merchantId, customer.id);
    const offline = visits.filter((v) => v.total === state.offlineAmount);
    expect(offline).toHaveLength(1);
    const { rows } = await server.db().query<{ offline: boolean }>(
      `SELECT (doc->>'offline')::boolean AS offline FROM loyalty_entries WHERE merchant_id = $1 AND doc->>'visitId' = $2`,
      [server.demo.merchantId, offline[0]?.id],
    );
    expect.soft(rows.map((r) => r.offline), 'the ledger entry of the visit made with the server down says offline: false').toEqual([true]);

    // Another device enrolled in the same store, the manager signed in: it sees the visit and the points.
    tillB = await openTerminal('till-b');
    await enrolInDemo(tillB.page, server.url);
    await signIn(tillB.page, server.manager);
    await waitForSync(tillB.page, { initialSync: 'done', connection: 'online' });
    await typeLookup(tillB.page, customer.lastFour);
    await openFromResults(tillB.page, customer.id);
    await waitForPoints(tillB.page, state.balance);
    await expect(byTestId(tillB.page, 'visit-row').first().locator('.visit-amount').textContent()).resolves.toMatch(/77,000/);

    // The manager's card reads the change history from the server's audit trail: the visits by the cashier on
    // till A. The cashier's card on till A has no such section.
    const manager = tillB.page;
    await byTestId(manager, 'change-history').getByRole('button', { name: text('en', 'counter:history.title') }).click();
    await expect.poll(async () => (await byTestId(manager, 'change-entry').allInnerTexts()).join('\n'), { timeout: 15_000 }).toContain(server.cashier.name);
    await byTestId(tillA.page, 'customer-card').waitFor();
    expect(await byTestId(tillA.page, 'change-history').count()).toBe(0);
  }, STEP);

  it('switches to Persian: right to left, lang=fa, Persian digits and navigation, remembered after a reload', async (ctx) => {
    onFailureScreenshots(ctx);
    const page = tillA.page;
    await switchLanguage(page, 'fa');
    await expect(page.locator('html').getAttribute('dir')).resolves.toBe('rtl');
    await expect(page.locator('html').getAttribute('lang')).resolves.toBe('fa');
    await expect(page.locator('nav a[href="#/counter"]').textContent()).resolves.toBe(text('fa', 'nav.counter'));
    await expect(page.locator('label[for="lookup-input"]').textContent()).resolves.toBe(text('fa', 'counter:lookupLabel'));
    const points = (await page.locator('[data-testid="customer-points"] .points-value').textContent()) ?? '';
    expect(points).toBe(new Intl.NumberFormat('fa-IR').format(state.balance));
    expect(points).toMatch(/^[۰-۹٬]+$/);
    await tillA.screenshot('counter-fa.png', true);

    // Inline errors speak Persian too.
    const phone = await freshPhone(server.db(), server.demo.merchantId, '0935');
    await typeLookup(page, persianDigits(phone.typed));
    await page.getByText(text('fa', 'counter:noMatch')).waitFor();
    await byTestId(page, 'lookup-input').press('Enter');
    const form = byTestId(page, 'signup-form');
    await form.locator('#signup-name').fill('م');
    await form.getByRole('button', { name: text('fa', 'counter:signUpSubmit') }).click();
    await expect(form.locator('#signup-name-error').textContent()).resolves.toBe(text('fa', 'common:errors.INVALID_NAME'));
    await form.getByRole('button', { name: text('fa', 'cancel') }).click();

    // The choice is remembered on the device: after a reload the sign-in page is in Persian.
    await page.reload();
    await page.getByRole('heading', { name: text('fa', 'signin:title') }).waitFor();
    await expect(page.locator('html').getAttribute('dir')).resolves.toBe('rtl');
    await signIn(page, server.cashier, 'fa');
    await switchLanguage(page, 'en');
    await expect(page.locator('html').getAttribute('dir')).resolves.toBe('ltr');
  }, STEP);
});

describe("the manager's desk in Chromium", () => {
  it('opens the analytics dashboard in English and in Persian', async (ctx) => {
    onFailureScreenshots(ctx);
    const terminal = tillB;
    if (!terminal) throw new Error('the second terminal is not open (an earlier step failed)');
    const page = terminal.page;
    await page.getByRole('link', { name: text('en', 'nav.analytics') }).click();
    await byTestId(page, 'analytics-page').waitFor();
    await page.getByRole('heading', { name: text('en', 'analytics:title'), level: 1 }).waitFor();
    const visits = page.locator('[data-testid="kpi-visits"] dd');
    await visits.waitFor({ timeout: 60_000 });
    // The worker reports progress while it loads the replica; the numbers are final once that is gone.
    await byTestId(page, 'analytics-loading').waitFor({ state: 'detached', timeout: 60_000 });
    const english = (await visits.textContent()) ?? '';
    expect(english).toMatch(/^[\d,]+$/);
    expect(Number(english.replace(/,/g, ''))).toBeGreaterThan(0);
    await terminal.screenshot('analytics-en.png');

    await switchLanguage(page, 'fa');
    await page.getByRole('heading', { name: text('fa', 'analytics:title'), level: 1 }).waitFor();
    await expect.poll(() => visits.textContent()).toBe(new Intl.NumberFormat('fa-IR').format(Number(english.replace(/,/g, ''))));
    await expect(page.locator('html').getAttribute('dir')).resolves.toBe('rtl');
    await terminal.screenshot('analytics-fa.png');
    await switchLanguage(page, 'en');
  }, STEP);

  it('resolves a duplicate signed up on two offline terminals: the server merges, the manager undoes it', async (ctx) => {
    onFailureScreenshots(ctx);
    const terminal = tillB;
    if (!terminal) throw new Error('the second terminal is not open (an earlier step failed)');
    const phone = await freshPhone(server.db(), server.demo.merchantId, '0919');
    await server.stop();

    // The same person signs up at both counters while the server is down.
    const ids: string[] = [];
    for (const [till, name] of [[tillA, 'Dara Kaveh'], [terminal, 'Dara Kave']] as const) {
      const page = till.page;
      await page.getByRole('link', { name: text('en', 'nav.counter') }).click();
      await typeLookup(page, phone.typed);
      await page.getByText(text('en', 'counter:noMatch')).waitFor();
      await byTestId(page, 'lookup-input').press('Enter');
      ids.push(await signUp(page, { name }));
      await waitForSync(page, { connection: 'offline', pending: 'some' }, 30_000);
    }
    const [first, second] = ids as [string, string];

    await server.start();
    await waitForSync(tillA.page, { pending: 0, connection: 'online' }, 60_000);
    await waitForSync(terminal.page, { pending: 0, connection: 'online' }, 60_000);
    // The earlier sign-up (UUIDv7 ids sort by creation) is kept; the other is merged into it, with an inbox item.
    await expect.poll(async () => (await customerOnServer(server.db(), server.demo.merchantId, second))?.mergedInto, { timeout: 15_000 }).toBe(first);
    expect((await customerOnServer(server.db(), server.demo.merchantId, first))?.mergedInto).toBeNull();
    expect((await inboxItems(server.db(), server.demo.merchantId, 'duplicate')).filter((i) => i.relatedId === second)).toHaveLength(1);

    const page = terminal.page;
    await page.getByRole('link', { name: text('en', 'nav.inbox') }).click();
    await byTestId(page, 'inbox-page').waitFor();
    const item = page.locator('[data-testid="inbox-item"][data-kind="duplicate"]').filter({ hasText: 'Dara Kave (' });
    await item.waitFor({ timeout: 30_000 });
    await expect(item.getAttribute('data-state')).resolves.toBe('open');
    await terminal.screenshot('inbox-en.png', true);
    await item.getByRole('button', { name: text('en', 'inbox:duplicate.undo') }).click();

    // Undoing is an ordinary replicated write: the server's copy is separated again, and stays so.
    await expect.poll(async () => (await customerOnServer(server.db(), server.demo.merchantId, second))?.mergedInto, { timeout: 30_000 }).toBeNull();
    await waitForSync(page, { pending: 0, connection: 'online' });
    await page.getByRole('checkbox', { name: text('en', 'inbox:showResolved') }).check();
    await expect.poll(() => item.getAttribute('data-state')).toBe('separated');
    // The cashier's terminal gets it too: the phone now finds two customers.
    await typeLookup(tillA.page, phone.typed);
    await expect.poll(() => byTestId(tillA.page, 'lookup-result').count(), { timeout: 30_000 }).toBe(2);
    expect((await customerOnServer(server.db(), server.demo.merchantId, second))?.mergedInto).toBeNull();
  }, STEP);

  it("warns that a number is another customer's second phone, creates anyway, and the manager keeps both from the inbox", async (ctx) => {
    onFailureScreenshots(ctx);
    const terminal = tillB;
    if (!terminal) throw new Error('the second terminal is not open (an earlier step failed)');
    const [own, family] = [await freshPhone(server.db(), server.demo.merchantId, '0917'), await freshPhone(server.db(), server.demo.merchantId, '0938')];
    // A parent signs up at till A with the family's phone as their second phone.
    const a = tillA.page;
    await a.getByRole('link', { name: text('en', 'nav.counter') }).click();
    await typeLookup(a, own.typed);
    await a.getByText(text('en', 'counter:noMatch')).waitFor();
    await byTestId(a, 'lookup-input').press('Enter');
    await byTestId(a, 'signup-form').locator('#signup-phone2').fill(family.typed);
    const parent = await signUp(a, { name: 'Shirin Farahani' });
    await waitForSync(a, { pending: 0, connection: 'online' }, 60_000);

    // At till B the family phone finds the parent; a child signing up with it is told who has it, and may go on.
    const b = terminal.page;
    await b.getByRole('link', { name: text('en', 'nav.counter') }).click();
    await typeLookup(b, family.typed);
    await expect.poll(() => byTestId(b, 'lookup-result').count(), { timeout: 30_000 }).toBeGreaterThan(0);
    await b.getByRole('button', { name: text('en', 'counter:signUpOther') }).click();
    const form = byTestId(b, 'signup-form');
    await form.locator('#signup-name').fill('Kian Farahani');
    await form.getByRole('button', { name: text('en', 'counter:signUpSubmit') }).click();
    const warning = byTestId(b, 'duplicates');
    await warning.getByText(text('en', 'counter:duplicateSecondPhone')).waitFor();
    await warning.getByText('Shirin Farahani').waitFor();
    await b.getByRole('button', { name: text('en', 'counter:createAnyway') }).click();
    const card = b.locator('[data-testid="customer-card"]').filter({ has: b.locator('#customer-name', { hasText: 'Kian Farahani' }) });
    await card.waitFor();
    const child = (await card.getAttribute('data-customer-id')) ?? '';
    await waitForSync(b, { pending: 0, connection: 'online' }, 60_000);

    // The server does not merge a shared phone: it asks the manager.
    const shared = async () => (await inboxItems(server.db(), server.demo.merchantId, 'duplicate')).filter((i) => i.code === 'SHARED_PHONE' && i.relatedId === child);
    await expect.poll(async () => (await shared()).map((i) => [i.customerId, i.status]), { timeout: 15_000 }).toEqual([[parent, 'open']]);
    expect((await customerOnServer(server.db(), server.demo.merchantId, child))?.mergedInto).toBeNull();
    await b.getByRole('link', { name: text('en', 'nav.inbox') }).click();
    const item = b.locator('[data-testid="inbox-item"][data-kind="duplicate"]').filter({ hasText: text('en', 'inbox:kind.sharedPhone') }).filter({ hasText: 'Kian Farahani (' });
    await item.waitFor({ timeout: 30_000 });
    await terminal.screenshot('inbox-shared-phone-en.png', true);
    await item.getByRole('button', { name: text('en', 'inbox:sharedPhone.keepBoth') }).click();
    await expect.poll(async () => (await shared()).map((i) => i.status), { timeout: 30_000 }).toEqual(['dismissed']);
    expect((await customerOnServer(server.db(), server.demo.merchantId, child))?.mergedInto).toBeNull();
  }, STEP);

  it('exports a customer’s data and erases them on one terminal; the other, offline meanwhile, shows the erasure when back', async (ctx) => {
    onFailureScreenshots(ctx);
    const terminal = tillB;
    if (!terminal) throw new Error('the second terminal is not open (an earlier step failed)');
    const id = state.signedUpId;
    // Till A (the cashier) has the customer open, then loses its network.
    for (const till of [tillA, terminal]) {
      await till.page.getByRole('link', { name: text('en', 'nav.counter') }).click();
      await typeLookup(till.page, 'Rahnama');
      await openFromResults(till.page, id);
    }
    await tillA.context.setOffline(true);
    await waitForSync(tillA.page, { connection: 'offline' }, 10_000);

    // The manager on till B downloads the archive, then erases in Persian: the reason is required.
    const page = terminal.page;
    const panel = byTestId(page, 'privacy-panel');
    const [download] = await Promise.all([page.waitForEvent('download'), panel.getByRole('button', { name: text('en', 'counter:privacy.export') }).click()]);
    const archive = unzipSync(new Uint8Array(readFileSync((await download.path())!)));
    expect(JSON.parse(strFromU8(archive['customer.json']!)).customer).toMatchObject({ id, name: 'Mina Rahnama' });
    await switchLanguage(page, 'fa');
    await panel.getByRole('button', { name: text('fa', 'counter:privacy.erase') }).click();
    await panel.getByRole('button', { name: text('fa', 'counter:privacy.confirmErase') }).click();
    await expect(panel.locator('.field-error').textContent()).resolves.toBe(text('fa', 'common:fields.REQUIRED'));
    await panel.getByLabel(text('fa', 'counter:privacy.reason')).fill('درخواست مشتری در فروشگاه');
    await terminal.screenshot('privacy-erase-fa.png', true);
    await panel.getByRole('button', { name: text('fa', 'counter:privacy.confirmErase') }).click();
    await byTestId(page, 'customer-erased').waitFor();
    await terminal.screenshot('privacy-erased-fa.png', true);
    await switchLanguage(page, 'en');
    await expect.poll(async () => (await customerOnServer(server.db(), server.demo.merchantId, id))?.name, { timeout: 15_000 }).toBe('---');

    // Till A still shows what it had; back online, its card gives way to the erasure (no name left).
    await expect(tillA.page.locator('#customer-name').textContent()).resolves.toBe('Mina Rahnama');
    await tillA.context.setOffline(false);
    await byTestId(tillA.page, 'customer-erased').waitFor({ timeout: 30_000 });
    await expect(byTestId(tillA.page, 'customer-erased').textContent()).resolves.toContain('درخواست مشتری در فروشگاه');
    expect(await tillA.page.getByText('Mina Rahnama').count()).toBe(0);
    await tillA.screenshot('privacy-erased-en.png', true);
  }, STEP);

  it('ran without uncaught errors or CSP violations in either terminal', () => {
    expect(realProblems(tillA.problems)).toEqual([]);
    expect(realProblems(tillB?.problems ?? [])).toEqual([]);
  });
});
