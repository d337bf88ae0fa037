import { writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, type TestContext } from 'vitest';
import { ARTIFACTS, chromiumAvailable, CHROMIUM, openTerminal, realProblems, type BrowserTerminal } from './support/browser.ts';
import { byTestId, enrolInDemo, persianDigits, recordVisit, signIn, switchLanguage, text, typeLookup, waitForSync } from './support/counter-app.ts';
import { startDemoServer, type DemoServer } from './support/demo-server.ts';
import { freshPhone, visitsOnServer } from './support/server-state.ts';
import { buildWebApp, type WebBuild } from '../helpers/web-build.ts';
import { PROTOCOL_HEADER, PROTOCOL_VERSION } from '../../src/sync/model/wire-protocol.ts';

// Issue 17, a cashier's day: one Chromium session against the real server (PGlite, the demo merchant, the
// production web build), a check per numbered point that is this branch's (1, 2, 4, 6, 7, 8, 9), and the
// owner's staff screen (issue 19.7), in English and Persian where text is involved. The steps build on each
// other, in order.

const STEP = 60_000;
const PERSIAN_DIGIT = /[۰-۹]/;
const LATIN_DIGIT = /[0-9]/;

let web: WebBuild;
let server: DemoServer;
let till: BrowserTerminal;
const state = { customerId: '', phone: { typed: '', e164: '' }, offlineEarned: 0 };

function onFailure(ctx: TestContext): void {
  ctx.onTestFailed(async () => {
    const name = ctx.task.name.replace(/[^a-z0-9]+/gi, '-').slice(0, 60);
    await till?.screenshot(`FAILED-day-${name}.png`, true).catch(() => {});
    writeFileSync(path.join(ARTIFACTS, `FAILED-day-${name}.log`), till?.problems.join('\n') ?? '');
  });
}

/** The status bar's pending line and connection text. */
const barText = (page: Page) => byTestId(page, 'sync-status').innerText();

async function signOut(page: Page, locale: 'en' | 'fa' = 'en'): Promise<void> {
  await page.getByRole('button', { name: text(locale, 'nav.signOut'), exact: true }).click();
  await page.getByRole('heading', { name: text(locale, 'signin:title') }).waitFor();
}

async function openCustomer(page: Page, typed: string, id: string): Promise<void> {
  await typeLookup(page, typed);
  const result = page.locator(`[data-testid="lookup-result"][data-customer-id="${id}"]`);
  await result.click();
  await page.locator(`[data-testid="customer-card"][data-customer-id="${id}"]`).waitFor();
  await byTestId(page, 'customer-points').waitFor();
}

beforeAll(async () => {
  if (!chromiumAvailable()) throw new Error(`no Chromium at ${CHROMIUM}`);
  web = await buildWebApp();
  server = await startDemoServer({ webRoot: web.dir, customers: 12 });
  till = await openTerminal('cashier-day');
  // What the bar's pending line said while the initial sync ran (item 7: never "All changes synced").
  await till.context.addInitScript(() => {
    const seen: string[] = [];
    (globalThis as unknown as { __duringInitialSync: string[] }).__duringInitialSync = seen;
    setInterval(() => {
      const bar = document.querySelector('[data-testid="sync-status"]');
      if (bar?.getAttribute('data-initial-sync') === 'running') seen.push(document.querySelector('[data-testid="sync-pending"]')?.textContent ?? '');
    }, 20);
  });
}, 120_000);

afterAll(async () => {
  await till?.close();
  await server?.dispose();
  web?.remove();
});

describe("a cashier's day in Chromium (issue 17)", () => {
  it('item 9: the Persian menu tells counter and inbox apart; after a manager signs out, the cashier starts at the counter', async (ctx) => {
    onFailure(ctx);
    const page = till.page;
    await enrolInDemo(page, server.url);
    await signIn(page, server.manager);
    await waitForSync(page, { initialSync: 'done', connection: 'online' });
    await switchLanguage(page, 'fa');
    const nav = page.getByRole('navigation');
    const counter = (await nav.locator('a[href="#/counter"]').innerText()).trim();
    const inbox = (await nav.locator('a[href="#/inbox"]').innerText()).trim();
    expect(counter).toBe(text('fa', 'nav.counter'));
    expect(inbox.includes(counter) || counter.includes(inbox), `«${counter}» and «${inbox}» look alike`).toBe(false);
    await switchLanguage(page, 'en');

    // The manager leaves the customer list open and signs out; the next cashier starts at the counter.
    await nav.locator('a[href="#/customers"]').click();
    await page.waitForFunction(() => location.hash === '#/customers');
    await signOut(page);
    await signIn(page, server.cashier);
    await expect(page.evaluate(() => location.hash)).resolves.not.toBe('#/customers');
    await expect(nav.locator('a[aria-current="page"]').getAttribute('href')).resolves.toBe('#/counter');
  }, STEP);

  it('item 9 and 6: the sign-up form keeps focus while the cashier types; the card and the results tell the story', async (ctx) => {
    onFailure(ctx);
    const page = till.page;
    state.phone = await freshPhone(server.db(), server.demo.merchantId, '0912');
    await typeLookup(page, state.phone.typed);
    await byTestId(page, 'lookup-input').press('Enter');
    const form = byTestId(page, 'signup-form');
    const name = form.locator('#signup-name');
    await name.click();
    // Slowly, with pauses longer than the duplicate check's: nothing may take the focus away meanwhile.
    await name.pressSequentially('Sara Day', { delay: 180 });
    await page.waitForTimeout(400);
    await expect(page.evaluate(() => document.activeElement?.id)).resolves.toBe('signup-name');
    await expect(name.inputValue()).resolves.toBe('Sara Day');
    await form.getByRole('button', { name: text('en', 'counter:signUpSubmit') }).click();
    const card = page.locator('[data-testid="customer-card"]').filter({ has: page.locator('#customer-name', { hasText: 'Sara Day' }) });
    await card.waitFor();
    state.customerId = (await card.getAttribute('data-customer-id')) ?? '';
    await recordVisit(page, '3000000');
    await waitForSync(page, { pending: 0, connection: 'online' });

    const story = byTestId(page, 'customer-story');
    await expect(story.getAttribute('data-segment')).resolves.toBe('new');
    await expect(byTestId(page, 'story-visits').innerText()).resolves.toBe('1');
    await expect(byTestId(page, 'story-spend').innerText()).resolves.toContain('3,000,000');
    await expect(byTestId(page, 'story-average').innerText()).resolves.toContain('3,000,000');
    await expect(byTestId(page, 'story-segment').innerText()).resolves.toBe(text('en', 'common:segment.new'));
    expect((await byTestId(page, 'story-since').innerText()).trim()).not.toBe('');
    // The same segment beside the result.
    await typeLookup(page, state.phone.typed);
    const result = page.locator(`[data-testid="lookup-result"][data-customer-id="${state.customerId}"]`);
    await expect(result.locator('[data-testid="result-segment"]').innerText()).resolves.toBe(text('en', 'common:segment.new'));
  }, STEP);

  it('item 1: with the network cut, the bar says Offline within 2 s, then the pending count', async (ctx) => {
    onFailure(ctx);
    const page = till.page;
    await waitForSync(page, { pending: 0, connection: 'online' });
    await till.context.setOffline(true);
    const cutAt = Date.now();
    await waitForSync(page, { connection: 'offline' }, 5_000);
    const noticed = Date.now() - cutAt;
    expect(noticed, `offline noticed after ${noticed} ms`).toBeLessThan(2_000);
    await expect(barText(page)).resolves.toContain(text('en', 'status:connection.offline'));

    state.offlineEarned = await recordVisit(page, '1000000');
    await waitForSync(page, { connection: 'offline', pending: 'some' }, 5_000);
    await expect(barText(page)).resolves.toContain(text('en', 'status:pending_other', { n: '2' }));
  }, STEP);

  it('item 2: offline, the redemption cap holds and counts what was redeemed here — also after an offline reload', async (ctx) => {
    onFailure(ctx);
    const page = till.page;
    const panel = page.locator('.redeem-panel');
    await expect(panel.locator('.notice').innerText()).resolves.toBe(text('en', 'counter:offlineCap', { cap: '500', used: '0' }));
    const points = panel.getByLabel(text('en', 'counter:redeemPoints'));
    await points.fill('600');
    await expect(byTestId(page, 'redeem-refusal').innerText()).resolves.toBe(text('en', 'common:errors.OFFLINE_REDEEM_CAP'));
    await points.fill('300');
    await panel.getByRole('button', { name: text('en', 'counter:redeemConfirm_other', { n: '300' }) }).click();
    await expect.poll(() => panel.locator('.notice').innerText()).toBe(text('en', 'counter:offlineCap', { cap: '500', used: '300' }));

    // A reload with the network still cut: the app opens from its service worker, nothing was acknowledged.
    await page.reload();
    await signIn(page, server.cashier);
    await openCustomer(page, state.phone.typed, state.customerId);
    await expect.poll(() => page.locator('.redeem-panel .notice').innerText()).toBe(text('en', 'counter:offlineCap', { cap: '500', used: '300' }));
    await page.locator('.redeem-panel').getByLabel(text('en', 'counter:redeemPoints')).fill('201');
    await expect(byTestId(page, 'redeem-refusal').innerText()).resolves.toBe(text('en', 'common:errors.OFFLINE_REDEEM_CAP'));
    // The same in Persian: the bar says offline with the pending count, the cap in Persian digits.
    await switchLanguage(page, 'fa');
    await expect(barText(page)).resolves.toContain(text('fa', 'status:connection.offline'));
    await expect(page.locator('.redeem-panel .notice').innerText()).resolves.toBe(text('fa', 'counter:offlineCap', { cap: persianDigits('500'), used: persianDigits('300') }));
    await expect(byTestId(page, 'redeem-refusal').innerText()).resolves.toBe(text('fa', 'common:errors.OFFLINE_REDEEM_CAP'));
    await switchLanguage(page, 'en');
    // Item 7: during that start's first sync, the bar never claimed everything was synced.
    const said = await page.evaluate(() => (globalThis as unknown as { __duringInitialSync: string[] }).__duringInitialSync);
    expect(said.length).toBeGreaterThan(0);
    expect(said).not.toContain(text('en', 'status:allSaved'));
  }, STEP);

  it('item 6: back online, the history shows the redemption and the voided visit struck through with its points', async (ctx) => {
    onFailure(ctx);
    const page = till.page;
    await till.context.setOffline(false);
    await waitForSync(page, { connection: 'online', pending: 0 }, 30_000);
    await expect(byTestId(page, 'redemption-row').first().innerText()).resolves.toContain(text('en', 'counter:redeemedLine', { n: '300' }));
    const newest = byTestId(page, 'visit-row').first();
    await newest.getByRole('button', { name: text('en', 'counter:void') }).click();
    await newest.getByLabel(text('en', 'counter:voidReason')).fill('wrong amount');
    await newest.getByRole('button', { name: text('en', 'counter:voidConfirm') }).click();
    await expect.poll(() => newest.getAttribute('data-voided')).toBe('true');
    const struck = await newest.locator('.visit-points').evaluate((el) => getComputedStyle(el).textDecorationLine);
    expect(struck).toContain('line-through');
    await expect(newest.locator('.visit-points').innerText()).resolves.toContain(state.offlineEarned.toLocaleString('en-US'));
    await expect(byTestId(page, 'story-visits').innerText()).resolves.toBe('1');
  }, STEP);

  it('item 7: one format in Persian on every page — card, settings, inbox, analytics — and figures that never wrap', async (ctx) => {
    onFailure(ctx);
    const page = till.page;
    await switchLanguage(page, 'fa');
    const visits = await byTestId(page, 'story-visits').innerText();
    expect(visits).toMatch(PERSIAN_DIGIT);
    expect(await byTestId(page, 'story-spend').innerText()).not.toMatch(LATIN_DIGIT);
    for (const selector of ['.points-value', '[data-testid="story-spend"]', '.visit-amount']) {
      const style = await page.locator(selector).first().evaluate((el) => ({ wrap: getComputedStyle(el).whiteSpace, bidi: getComputedStyle(el).unicodeBidi }));
      expect(style, selector).toEqual({ wrap: 'nowrap', bidi: 'isolate' });
    }
    const cardSegment = await byTestId(page, 'story-segment').innerText();
    expect(cardSegment).toBe(text('fa', 'common:segment.new'));

    await signOut(page, 'fa');
    await signIn(page, server.manager, 'fa');
    // Settings: amounts in Persian digits and separators; rewards without dates say "Always".
    await page.goto(`${server.url}/#/settings`);
    const settings = page.locator('main');
    await settings.locator('table').first().waitFor();
    await expect(settings.locator('td', { hasText: text('fa', 'settings:rewards.always') }).first().isVisible()).resolves.toBe(true);
    const figures = await settings.locator('input[inputmode="decimal"], input[inputmode="numeric"]').evaluateAll((inputs) => inputs.map((i) => (i as HTMLInputElement).value).filter((v) => v !== ''));
    expect(figures.length).toBeGreaterThan(0);
    for (const figure of figures) expect(figure).not.toMatch(LATIN_DIGIT);

    // Inbox: the merge picker's phones in Persian digits.
    await page.goto(`${server.url}/#/inbox`);
    await page.locator('.merge-picker input[type="search"]').first().fill(state.phone.typed.slice(-4));
    const phone = page.locator('.merge-results bdi').first();
    await expect(phone.innerText()).resolves.toMatch(PERSIAN_DIGIT);
    expect(await phone.innerText()).not.toMatch(LATIN_DIGIT);

    // Analytics: placeholders (never zeros) while loading, and the card's segment names.
    await page.evaluate(() => {
      const seen: string[] = [];
      (globalThis as unknown as { __kpiVisits: string[] }).__kpiVisits = seen;
      setInterval(() => {
        const value = document.querySelector('[data-testid="kpi-visits"] dd');
        if (value) seen.push(value.querySelector('[data-testid="kpi-placeholder"]') ? 'placeholder' : (value.textContent ?? ''));
      }, 10);
    });
    await page.goto(`${server.url}/#/analytics`);
    await page.locator('.segment-picker').waitFor({ timeout: 30_000 });
    const labels = await page.locator('.segment-picker button').allInnerTexts();
    expect(labels.some((l) => l.startsWith(text('fa', 'common:segment.none')))).toBe(true);
    expect(labels.some((l) => l.startsWith(cardSegment))).toBe(true);
    const kpi = await page.evaluate(() => (globalThis as unknown as { __kpiVisits?: string[] }).__kpiVisits ?? []);
    expect(kpi.filter((v) => v === persianDigits('0'))).toEqual([]);
    expect(realProblems(till.problems)).toEqual([]);
  }, STEP);

  it('item 8: a manager switches to toman; in Persian, 25,000 typed records 250,000 rial and the card shows ۲۵٬۰۰۰ تومان', async (ctx) => {
    onFailure(ctx);
    const page = till.page;
    // Still the manager, in Persian (item 7).
    await page.goto(`${server.url}/#/settings`);
    const display = byTestId(page, 'currency-display');
    await display.locator('select').selectOption('toman');
    await display.getByRole('button', { name: text('fa', 'settings:save') }).click();
    await display.getByRole('status').waitFor();
    // The tag catalogue (issue 19.3): a name it already has (case ignored) is refused in Persian; a new one is saved.
    const tags = byTestId(page, 'tag-catalogue');
    await tags.getByRole('button', { name: text('fa', 'settings:tags.add') }).click();
    const added = tags.locator('[data-testid="tag-row"]').last();
    await added.locator('input').fill('vip');
    await tags.getByRole('button', { name: text('fa', 'settings:save') }).click();
    await tags.getByText(text('fa', 'common:fields.DUPLICATE_TAG')).waitFor();
    await added.locator('input').fill('صبحانه');
    await added.locator('select').selectOption('green');
    await tags.getByRole('button', { name: text('fa', 'settings:save') }).click();
    await tags.getByRole('status').waitFor();
    await page.goto(`${server.url}/#/counter`);
    await openCustomer(page, state.phone.typed, state.customerId);
    const form = byTestId(page, 'visit-form');
    await expect(form.locator('label[for="visit-amount"]').innerText()).resolves.toContain('تومان');
    await form.locator('#visit-amount').fill('۲۵٬۰۰۰');
    await form.getByRole('button', { name: text('fa', 'counter:recordVisit') }).click();
    await byTestId(page, 'visit-recorded').waitFor();
    await expect.poll(async () => (await visitsOnServer(server.db(), server.demo.merchantId, state.customerId)).map((v) => v.total), { timeout: 30_000 }).toContain(250_000);
    const amount = await byTestId(page, 'visit-row').first().locator('.visit-amount').innerText();
    expect(amount.replace(/\s/g, ' ')).toBe('۲۵٬۰۰۰ تومان');
    expect(realProblems(till.problems)).toEqual([]);
  }, STEP);

  it('item 4: the manager’s Devices page lists this terminal and adds a device with a code and a QR of the enrol link', async (ctx) => {
    onFailure(ctx);
    const page = till.page;
    // Still the manager of item 7, in Persian: the menu has the page.
    const nav = page.getByRole('navigation');
    await expect(nav.locator('a[href="#/devices"]').innerText()).resolves.toBe(text('fa', 'nav.devices'));
    await switchLanguage(page, 'en');
    await nav.locator('a[href="#/devices"]').click();
    const table = byTestId(page, 'devices-table');
    await table.waitFor();
    const self = table.locator('tr', { hasText: text('en', 'devices:thisDevice') });
    await expect(self.count()).resolves.toBe(1);
    await expect(self.getAttribute('data-terminal-id')).resolves.toMatch(/^[0-9a-f-]{36}$/);

    await page.getByRole('button', { name: text('en', 'devices:makeCode') }).click();
    const code = await byTestId(page, 'device-code-value').innerText();
    expect(code).toMatch(/^[A-Z0-9]{4}-[A-Z0-9]{4}$/);
    const qr = byTestId(page, 'device-code').getByRole('img', { name: text('en', 'devices:qrLabel') });
    await expect(qr.getAttribute('data-qr-text')).resolves.toBe(`${server.url}/#/enrol?code=${code}`);
    await expect(qr.locator('path').getAttribute('d')).resolves.toMatch(/^M\d/);
    // This server listens on 127.0.0.1 only: the page says a tablet cannot use the link.
    await expect(byTestId(page, 'device-code-local').innerText()).resolves.toBe(text('en', 'devices:localOnly'));

    // A tablet enrols with that code; the manager sees it and revokes it after confirming.
    const enrolled = await fetch(`${server.url}/v1/enrol`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', [PROTOCOL_HEADER]: String(PROTOCOL_VERSION) },
      body: JSON.stringify({ code, deviceName: 'Spare tablet' }),
    });
    expect(enrolled.status).toBe(200);
    const { terminalId } = (await enrolled.json()) as { terminalId: string };
    await nav.locator('a[href="#/counter"]').click();
    await nav.locator('a[href="#/devices"]').click();
    const tablet = table.locator(`tr[data-terminal-id="${terminalId}"]`);
    await tablet.getByRole('button', { name: text('en', 'devices:revoke') }).click();
    await page.getByRole('alertdialog').getByRole('button', { name: text('en', 'devices:confirmRevoke') }).click();
    await expect.poll(() => tablet.innerText()).toContain(text('en', 'devices:revokedAt', { when: '' }).trim());
    await expect(self.getByRole('button').count()).resolves.toBe(0);
    expect(realProblems(till.problems)).toEqual([]);
  }, STEP);
  it('issue 19.7: the owner adds a member, who signs in; deactivated, their sign-in is refused; in English and Persian', async (ctx) => {
    onFailure(ctx);
    const page = till.page;
    const owner = server.demo.staff.find((member) => member.role === 'owner')!;
    const kian = { name: 'Kian Test', pin: '4826' };
    await signOut(page);
    await signIn(page, owner);
    await page.getByRole('navigation').locator('a[href="#/staff"]').click();
    const form = byTestId(page, 'staff-add');
    await form.getByLabel(text('en', 'staff:name')).fill(kian.name);
    await form.getByLabel(text('en', 'staff:pin'), { exact: true }).fill(kian.pin);
    await form.getByLabel(text('en', 'staff:pinAgain')).fill('4862');
    await form.getByRole('button', { name: text('en', 'staff:add') }).click();
    await form.getByText(text('en', 'common:fields.PIN_MISMATCH')).waitFor();
    await form.getByLabel(text('en', 'staff:pinAgain')).fill(kian.pin);
    await form.getByRole('button', { name: text('en', 'staff:add') }).click();
    await byTestId(page, 'staff-added').waitFor();
    const row = byTestId(page, 'staff-member').filter({ hasText: kian.name });
    const id = (await row.getAttribute('data-staff-id')) ?? '';
    await till.screenshot('day-staff-added-en.png', true);
    await waitForSync(page, { pending: 0 });
    const onServer = () => server.db().query<{ active: boolean; key: string | null }>(`SELECT (s.doc->>'active')::boolean AS active, k.public_key AS key FROM staff s LEFT JOIN staff_keys k ON k.staff_id = s.id WHERE s.id = $1`, [id]).then((r) => r.rows[0]);
    await expect(onServer()).resolves.toEqual({ active: true, key: expect.stringMatching(/^[0-9a-f]{64}$/) });

    // Their key is sealed on this terminal under the PIN the owner typed: they sign in with it.
    await signOut(page);
    await signIn(page, { name: kian.name, pin: kian.pin });
    await signOut(page);
    await signIn(page, owner);
    await switchLanguage(page, 'fa');
    await page.getByRole('navigation').locator('a[href="#/staff"]').click();
    await row.getByRole('button', { name: text('fa', 'staff:deactivate') }).click();
    await expect.poll(() => row.getAttribute('data-active')).toBe('false');
    await till.screenshot('day-staff-deactivated-fa.png', true);
    await waitForSync(page, { pending: 0 });
    await expect(onServer()).resolves.toMatchObject({ active: false });
    await signOut(page, 'fa');
    await expect(page.getByRole('radio', { name: owner.name }).count()).resolves.toBe(1);
    await expect(page.getByRole('radio', { name: kian.name }).count()).resolves.toBe(0);
    await switchLanguage(page, 'en');
    expect(realProblems(till.problems)).toEqual([]);
  }, STEP);
});
