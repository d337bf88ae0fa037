import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, type TestContext } from 'vitest';
import { ARTIFACTS, chromiumAvailable, CHROMIUM, openTerminal, type BrowserTerminal } from './support/browser.ts';
import { byTestId, enrolInDemo, openFromResults, persianDigits, recordVisit, signIn, signUp, switchLanguage, text, typeLookup, waitForPoints, waitForSync } from './support/counter-app.ts';
import { startDemoServer, type DemoServer } from './support/demo-server.ts';
import { freshPhone } from './support/server-state.ts';
import { buildWebApp, type WebBuild } from '../helpers/web-build.ts';

// Loyalty a café can run on (issue 18) and a void that never silently drives a balance negative (issue 17
// item 3), end to end in one Chromium session against the real server: undo a redemption, a void whose
// impact needs a manager's PIN, an adjustment above the cashier's limit approved on the spot, and points that
// expire after a clock jump — in English, with one Persian check —, a reward redeemed on a sale, set up by a
// manager in Settings, and a stamp card from its settings to a redeemed full card, in English and Persian.
// Screenshots land in test-results/e2e/.

const STEP = 120_000;
const DAY = 86_400_000;

let web: WebBuild;
let server: DemoServer;
let till: BrowserTerminal;
let balance = 0;
/** The customer the steps work on (signed up by the first). */
let customer = { id: '', typed: '' };

function onFailure(ctx: TestContext): void {
  ctx.onTestFailed(async () => {
    const name = ctx.task.name.replace(/[^a-z0-9]+/gi, '-').slice(0, 60);
    await till?.screenshot(`FAILED-loyalty-${name}.png`, true).catch(() => {});
    if (till) writeFileSync(path.join(ARTIFACTS, `FAILED-loyalty-${name}.log`), till.problems.join('\n'));
  });
}

const activity = (page: Page) => byTestId(page, 'loyalty-activity');
/** The activity's lines as [kind, points], newest first. */
async function lines(page: Page): Promise<[string, number][]> {
  const rows = activity(page).locator('[data-testid="activity-line"]');
  return (await rows.evaluateAll((els) => els.map((el) => [el.getAttribute('data-kind') ?? '', Number(el.getAttribute('data-points'))]))) as [string, number][];
}

/** Fills the manager approval shown on the spot (the demo's manager and their PIN). */
async function approve(page: Page, scope: ReturnType<typeof byTestId>, locale: 'en' | 'fa' = 'en'): Promise<void> {
  const approval = scope.locator('[data-testid="approval"]');
  await approval.waitFor();
  await approval.getByLabel(text(locale, 'counter:approval.approver')).selectOption({ label: server.manager.name });
  await approval.getByLabel(text(locale, 'counter:approval.pin')).fill(server.manager.pin);
}

async function redeemPoints(page: Page, points: number): Promise<void> {
  const form = byTestId(page, 'redeem-form');
  const option = form.getByRole('radio', { name: text('en', 'counter:redeemPointsOption') });
  if (await option.count()) await option.check();
  await form.getByLabel(text('en', 'counter:redeemPoints')).fill(String(points));
  await form.getByRole('button', { name: text('en', 'counter:redeemConfirm_other', { n: points.toLocaleString('en') }) }).click();
  balance -= points;
  await waitForPoints(page, balance);
}

beforeAll(async () => {
  if (!chromiumAvailable()) throw new Error(`no Chromium at ${CHROMIUM}: apt-get install -y chromium (or set PATRON_CHROMIUM)`);
  mkdirSync(ARTIFACTS, { recursive: true });
  web = await buildWebApp();
  server = await startDemoServer({ webRoot: web.dir, customers: 20 });
  till = await openTerminal('loyalty');
  // The page's clock, so a later step can jump it forward (time flows naturally until then).
  await till.page.clock.install();
  await enrolInDemo(till.page, server.url);
  await signIn(till.page, server.cashier);
  await waitForSync(till.page, { initialSync: 'done', connection: 'online' });
}, STEP);

afterAll(async () => {
  await till?.close();
  await server?.dispose();
  web?.remove();
});

describe('loyalty at the counter in Chromium', () => {
  it('shows every line in the activity and undoes a redemption once', async (ctx) => {
    onFailure(ctx);
    const page = till.page;
    const fresh = await freshPhone(server.db(), server.demo.merchantId, '0912');
    await typeLookup(page, fresh.typed);
    await page.getByText(text('en', 'counter:noMatch')).waitFor();
    await byTestId(page, 'lookup-input').press('Enter');
    customer = { id: await signUp(page, { name: 'Loyal Customer' }), typed: fresh.typed };
    balance = await recordVisit(page, '1500000');
    await waitForPoints(page, balance);
    await waitForSync(page, { pending: 0, connection: 'online' });
    await redeemPoints(page, 1_000);
    await expect.poll(() => lines(page)).toEqual([['redeem', -1_000], ['earn', balance + 1_000]]);

    const redeemLine = activity(page).locator('[data-kind="redeem"]');
    await redeemLine.getByRole('button', { name: text('en', 'counter:activity.undo') }).click();
    await redeemLine.getByLabel(text('en', 'counter:activity.reason')).fill('wrong customer');
    await redeemLine.getByRole('button', { name: text('en', 'counter:activity.undoConfirm', { n: '1,000' }) }).click();
    balance += 1_000;
    await waitForPoints(page, balance);
    await redeemLine.getByText(text('en', 'counter:activity.undone')).waitFor();
    expect((await lines(page))[0]).toEqual(['reversal', 1_000]);
    await till.screenshot('loyalty-undo-en.png', true);

    // The same in Persian: a second redemption undone with the Persian labels and digits.
    await redeemPoints(page, 500);
    await switchLanguage(page, 'fa');
    const second = activity(page).locator('[data-kind="redeem"]').first();
    await second.getByRole('button', { name: text('fa', 'counter:activity.undo') }).click();
    await second.getByLabel(text('fa', 'counter:activity.reason')).fill('اشتباه در مشتری');
    await second.getByRole('button', { name: text('fa', 'counter:activity.undoConfirm', { n: persianDigits('500') }) }).click();
    balance += 500;
    await second.getByText(text('fa', 'counter:activity.undone')).waitFor();
    expect((await lines(page))[0]).toEqual(['reversal', 500]);
    await till.screenshot('loyalty-undo-fa.png', true);
    await switchLanguage(page, 'en');
    await waitForPoints(page, balance);
  }, STEP);

  it('shows a void’s points impact and asks for a manager’s PIN before the balance goes negative', async (ctx) => {
    onFailure(ctx);
    const page = till.page;
    const earned = balance;
    await redeemPoints(page, 1_000);
    const visit = byTestId(page, 'visit-row').first();
    await visit.getByRole('button', { name: text('en', 'counter:void') }).click();
    const form = visit.locator('[data-testid="void-form"]');
    const impact = form.locator('[data-testid="void-impact"]');
    await expect.poll(() => impact.getAttribute('data-after')).toBe(String(earned - 1_000 - earned));
    await expect(impact.textContent()).resolves.toContain(earned.toLocaleString('en'));
    await form.getByLabel(text('en', 'counter:voidReason')).fill('rang up the wrong customer');
    await approve(page, form);
    await till.screenshot('loyalty-void-approval-en.png', true);
    await form.getByRole('button', { name: text('en', 'counter:voidConfirm') }).click();
    balance -= earned;
    await waitForPoints(page, balance);
    await visit.getByText(text('en', 'counter:voided'), { exact: true }).waitFor();
  }, STEP);

  it('adjusts above the cashier’s limit with a manager’s PIN on the spot', async (ctx) => {
    onFailure(ctx);
    const page = till.page;
    await activity(page).getByRole('button', { name: text('en', 'counter:activity.adjust') }).click();
    const form = byTestId(page, 'adjust-form');
    await form.getByLabel(text('en', 'counter:activity.adjustPoints')).fill('1200');
    await form.getByLabel(text('en', 'counter:activity.reason')).fill('settle the void');
    await form.getByRole('button', { name: text('en', 'counter:activity.adjustConfirm') }).click();
    await approve(page, form);
    await form.getByRole('button', { name: text('en', 'counter:approval.confirm') }).click();
    balance += 1_200;
    await waitForPoints(page, balance);
    expect((await lines(page))[0]).toEqual(['adjust', 1_200]);

    await waitForSync(page, { pending: 0, connection: 'online' });
    // The server's ledger rules accepted every line this session wrote.
    const { rows } = await server.db().query(`SELECT reason FROM rejected_writes WHERE merchant_id = $1 AND collection = 'loyaltyEntries'`, [server.demo.merchantId]);
    expect(rows).toEqual([]);
  }, STEP);

  it('warns of points about to expire, and takes them out of the balance when they do (after a clock jump)', async (ctx) => {
    onFailure(ctx);
    const page = till.page;
    expect(balance).toBe(200);
    // A jump of the page's clock fires the card's once-a-minute look at the clock (due timers fire once). A
    // signed staff session lasts 12 hours, so after a jump of days the cashier signs in again.
    const jump = async (days: number) => {
      await page.clock.fastForward(days * DAY);
      await signIn(page, server.cashier);
      await typeLookup(page, customer.typed);
      await openFromResults(page, customer.id);
    };
    await jump(340);
    await byTestId(page, 'expiry-warning').waitFor();
    await expect(byTestId(page, 'expiry-warning').textContent()).resolves.toContain('200');
    await jump(60);
    await waitForPoints(page, 0);
    await expect.poll(() => lines(page).then((l) => l[0])).toEqual(['expire', -200]);
    await till.screenshot('loyalty-expiry-en.png', true);

    await switchLanguage(page, 'fa');
    await activity(page).getByRole('heading', { name: text('fa', 'counter:activity.title') }).waitFor();
    await expect(activity(page).locator('[data-kind="expire"] strong').first().textContent()).resolves.toBe(text('fa', 'counter:activity.kind.expire'));
    await till.screenshot('loyalty-expiry-fa.png', true);
    await switchLanguage(page, 'en');
  }, STEP);

  it('redeems a reward on the sale: the discount and new total shown before confirming, recorded on the visit — in English and Persian', async (ctx) => {
    onFailure(ctx);
    const page = till.page;
    // A manager adds a 10 %-off reward (twice a week per customer) and a perk for every tier, in Settings.
    await page.getByRole('button', { name: text('en', 'nav.signOut'), exact: true }).click();
    await signIn(page, server.manager);
    await page.goto(`${server.url}/#/settings`);
    await page.getByRole('button', { name: text('en', 'settings:rewards.add') }).click();
    const editor = page.getByRole('form', { name: text('en', 'settings:rewards.add') });
    await editor.getByLabel(text('en', 'settings:rewards.name'), { exact: true }).fill('Ten off');
    await editor.getByLabel(text('en', 'settings:rewards.type')).selectOption('percentOff');
    await editor.getByLabel(text('en', 'settings:rewards.pointsCost'), { exact: true }).fill('100');
    await editor.getByRole('button', { name: text('en', 'settings:save') }).click();
    await editor.getByText(text('en', 'settings:errors.percentRange')).waitFor();
    await editor.getByLabel(text('en', 'settings:rewards.percent'), { exact: true }).fill('10');
    await editor.getByLabel(text('en', 'settings:rewards.capCount')).fill('2');
    await editor.getByRole('button', { name: text('en', 'settings:save') }).click();
    await page.getByRole('cell', { name: 'Ten off', exact: true }).waitFor();
    const program = page.locator('form[aria-labelledby="program-title"]');
    for (const tier of ['bronze', 'silver', 'gold', 'platinum']) {
      await program.getByLabel(text('en', 'settings:program.perksOf', { tier: text('en', `settings:tier.${tier}`) })).fill('Free refill');
    }
    await program.getByRole('button', { name: text('en', 'settings:save') }).click();
    await program.getByRole('status').waitFor();

    await page.goto(`${server.url}/#/counter`);
    await typeLookup(page, customer.typed);
    await openFromResults(page, customer.id);
    await expect(byTestId(page, 'tier-perks').innerText()).resolves.toContain('Free refill');
    // The previous step's points expired.
    balance = (await recordVisit(page, '1500000'));
    await waitForPoints(page, balance);

    const sale = async (locale: 'en' | 'fa', amount: string) => {
      const form = byTestId(page, 'visit-form');
      await form.locator('#visit-amount').fill(amount);
      await byTestId(page, 'sale-rewards').getByRole('checkbox', { name: /Ten off/ }).check();
      // Before confirming: the reward's line and the new total.
      await expect.poll(() => byTestId(page, 'visit-total').getAttribute('data-total')).toBe('180000');
      await expect(byTestId(page, 'reward-lines').innerText()).resolves.toContain('Ten off');
      await till.screenshot(`loyalty-reward-on-sale-${locale}.png`, true);
      const earned = Number(await byTestId(page, 'earn-preview').getAttribute('data-points'));
      await form.getByRole('button', { name: text(locale, 'counter:recordVisit') }).click();
      await byTestId(page, 'visit-recorded-rewards').waitFor();
      balance += earned - 100;
      await waitForPoints(page, balance);
    };
    await sale('en', '200000');
    await switchLanguage(page, 'fa');
    await sale('fa', '۲۰۰٬۰۰۰');
    await expect(byTestId(page, 'visit-recorded-rewards').innerText()).resolves.toContain('۲۰٬۰۰۰');
    // Twice a week: a third sale cannot have it, and says why.
    await expect(byTestId(page, 'sale-rewards').getByRole('checkbox', { name: /Ten off/ }).isDisabled()).resolves.toBe(true);
    await byTestId(page, 'sale-rewards').getByText(text('fa', 'counter:rewardBlock.cap')).waitFor();
    await switchLanguage(page, 'en');

    await waitForSync(page, { pending: 0, connection: 'online' });
    const { rows } = await server.db().query<{ doc: { total: number; discount: number; rewards?: { discount: number; entryId: string }[] } }>(
      `SELECT doc FROM visits WHERE merchant_id = $1 AND doc->>'customerId' = $2 AND doc ? 'rewards'`,
      [server.demo.merchantId, customer.id],
    );
    expect(rows.map((r) => [r.doc.total, r.doc.discount, r.doc.rewards?.[0]?.discount])).toEqual([[180_000, 20_000, 20_000], [180_000, 20_000, 20_000]]);
    const redeemed = await server.db().query<{ id: string }>(`SELECT id FROM loyalty_entries WHERE merchant_id = $1 AND id = ANY($2::text[])`, [server.demo.merchantId, rows.map((r) => r.doc.rewards![0]!.entryId)]);
    expect(redeemed.rows).toHaveLength(2);
    const refused = await server.db().query(`SELECT reason FROM rejected_writes WHERE merchant_id = $1 AND collection IN ('visits', 'loyaltyEntries', 'rewards', 'settings')`, [server.demo.merchantId]);
    expect(refused.rows).toEqual([]);
  }, STEP);

  it('runs a stamp card: a manager switches it on, visits stamp the card, a full card is redeemed and the rest carries over (English and Persian)', async (ctx) => {
    onFailure(ctx);
    const page = till.page;
    await page.getByRole('button', { name: text('en', 'nav.signOut'), exact: true }).click();
    await signIn(page, server.manager);
    await page.goto(`${server.url}/#/settings`);
    const form = byTestId(page, 'stamp-card-settings');
    await form.locator('#program-mode').selectOption('both');
    await form.getByLabel(text('en', 'settings:stamps.stamps')).fill('2');
    await form.getByLabel(text('en', 'settings:stamps.reward')).fill('A free coffee');
    // A card of one stamp is refused with the field's own message, and nothing is saved.
    await form.getByLabel(text('en', 'settings:stamps.cardSize')).fill('1');
    await form.getByRole('button', { name: text('en', 'settings:save') }).click();
    await form.getByText(text('en', 'settings:errors.min', { min: '2' })).waitFor();
    await form.getByLabel(text('en', 'settings:stamps.cardSize')).fill('3');
    await form.getByRole('button', { name: text('en', 'settings:save') }).click();
    await form.getByRole('status').waitFor();

    await page.goto(`${server.url}/#/counter`);
    await typeLookup(page, customer.typed);
    await openFromResults(page, customer.id);
    const card = byTestId(page, 'stamp-card');
    const progress = byTestId(page, 'stamp-progress');
    await expect(progress.innerText()).resolves.toBe(text('en', 'counter:stampCard.progress', { n: '0', size: '3' }));
    // The visit form says what the visit adds to the card before it is recorded.
    await byTestId(page, 'visit-form').locator('#visit-amount').fill('100000');
    await expect.poll(() => byTestId(page, 'stamp-preview').getAttribute('data-stamps')).toBe('2');
    await recordVisit(page, '100000');
    await expect.poll(() => card.getAttribute('data-count')).toBe('2');
    await expect(progress.innerText()).resolves.toBe(text('en', 'counter:stampCard.progress', { n: '2', size: '3' }));
    await recordVisit(page, '100000');
    await expect.poll(() => card.getAttribute('data-count')).toBe('4');
    expect(await card.locator('.stamp.is-stamped').count()).toBe(3);
    await till.screenshot('loyalty-stamps-full-en.png', true);
    await byTestId(page, 'stamp-redeem').click();
    await byTestId(page, 'stamp-redeemed').waitFor();
    // The stamp past the full card starts the next one.
    await expect.poll(() => card.getAttribute('data-count')).toBe('1');
    await expect(progress.innerText()).resolves.toBe(text('en', 'counter:stampCard.progress', { n: '1', size: '3' }));
    await till.screenshot('loyalty-stamps-redeemed-en.png', true);

    await recordVisit(page, '100000');
    await expect.poll(() => card.getAttribute('data-count')).toBe('3');
    await switchLanguage(page, 'fa');
    await expect.poll(() => progress.innerText()).toBe(text('fa', 'counter:stampCard.progress', { n: persianDigits('3'), size: persianDigits('3') }));
    await till.screenshot('loyalty-stamps-full-fa.png', true);
    await byTestId(page, 'stamp-redeem').click();
    await expect.poll(() => progress.innerText()).toBe(text('fa', 'counter:stampCard.progress', { n: persianDigits('0'), size: persianDigits('3') }));
    await expect(byTestId(page, 'stamp-redeemed').innerText()).resolves.toBe(text('fa', 'counter:stampCard.redeemed', { reward: 'A free coffee' }));
    await till.screenshot('loyalty-stamps-redeemed-fa.png', true);
    await switchLanguage(page, 'en');

    // The server accepted every stamp line and holds the same count.
    await waitForSync(page, { pending: 0, connection: 'online' });
    const { rows } = await server.db().query(`SELECT reason FROM rejected_writes WHERE merchant_id = $1 AND collection = 'loyaltyEntries'`, [server.demo.merchantId]);
    expect(rows).toEqual([]);
    const sum = await server.db().query<{ n: string }>(`SELECT COALESCE(SUM((doc->>'stamps')::int), 0)::text AS n FROM loyalty_entries WHERE merchant_id = $1 AND doc->>'customerId' = $2`, [server.demo.merchantId, customer.id]);
    expect(sum.rows[0]!.n).toBe('0');
  }, STEP);

  // Last, so no step after it depends on the balance it changes.
  it('adjusts above the cashier’s limit with a manager’s PIN on the spot, in Persian', async (ctx) => {
    onFailure(ctx);
    const page = till.page;
    // The cashier is signed in (the step before left a manager, whose own limit covers this).
    await page.getByRole('button', { name: text('en', 'nav.signOut'), exact: true }).click();
    await signIn(page, server.cashier);
    await page.goto(`${server.url}/#/counter`);
    await typeLookup(page, customer.typed);
    await openFromResults(page, customer.id);
    await switchLanguage(page, 'fa');
    await activity(page).getByRole('button', { name: text('fa', 'counter:activity.adjust') }).click();
    const form = byTestId(page, 'adjust-form');
    await form.getByLabel(text('fa', 'counter:activity.adjustPoints')).fill('۱۱۰۰');
    await form.getByLabel(text('fa', 'counter:activity.reason')).fill('جبران خطا');
    await form.getByRole('button', { name: text('fa', 'counter:activity.adjustConfirm') }).click();
    await approve(page, form, 'fa');
    await till.screenshot('loyalty-adjust-approval-fa.png', true);
    await form.getByRole('button', { name: text('fa', 'counter:approval.confirm') }).click();
    await expect.poll(async () => (await lines(page))[0]).toEqual(['adjust', 1_100]);
    await switchLanguage(page, 'en');
  }, STEP);
});
