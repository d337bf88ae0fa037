import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, type TestContext } from 'vitest';
import { ARTIFACTS, chromiumAvailable, CHROMIUM, openTerminal, type BrowserTerminal } from './support/browser.ts';
import { byTestId, enrolInDemo, persianDigits, signIn, switchLanguage, text, typeLookup, waitForSync } from './support/counter-app.ts';
import { startDemoServer, type DemoServer } from './support/demo-server.ts';
import { writeQrVideo } from './support/fake-camera.ts';
import { demoCustomer, freshPhone } from './support/server-state.ts';
import { memberCodeOf } from '../../src/sync/model/member-code.ts';
import { buildWebApp, type WebBuild } from '../helpers/web-build.ts';

// Finding customers at the counter (issues 19.1, 17.5, 18.6) in one Chromium session against the real server:
// a middle name with a typo, "20 of 200+", the last 7 digits and a number without its 0, the member code
// (opens at once, typed or read by the camera from the card's QR code), the empty counter's Sign up with focus on Name, no "Create anyway" for a taken number, and
// the count in Persian. Steps build on each other, in order.

const STEP = 120_000;

let web: WebBuild;
let server: DemoServer;
let till: BrowserTerminal;
const state = { id: '', typed: '', code: '' };
/** The demo customer whose member card the fake camera films. */
let carded = { id: '', code: '' };

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
  const holder = await demoCustomer(server.db(), server.demo.merchantId);
  carded = { id: holder.id, code: memberCodeOf(holder.id) };
  const video = path.join(ARTIFACTS, 'directory-member-card.y4m');
  writeQrVideo(video, carded.code);
  till = await openTerminal('directory', { camera: video });
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
    await page.getByRole('button', { name: text('en', 'counter:memberCardShow'), exact: true }).click();
    await byTestId(page, 'member-card').locator('svg').waitFor();
    await till.screenshot('directory-member-card-en.png', true);
  }, STEP);

  it('opens a customer at once when the camera reads their member card, and stops the camera', async (ctx) => {
    onFailureScreenshot(ctx);
    const page = till.page;
    await byTestId(page, 'lookup-input').press('Escape');
    // Every stream the app opens, to see that the camera is off once the card is read.
    await page.evaluate(() => {
      const devices = navigator.mediaDevices;
      const open = devices.getUserMedia.bind(devices);
      const streams: MediaStream[] = [];
      (window as unknown as { cameraStreams: MediaStream[] }).cameraStreams = streams;
      devices.getUserMedia = async (constraints) => {
        const stream = await open(constraints);
        streams.push(stream);
        return stream;
      };
    });
    await page.getByRole('button', { name: text('en', 'counter:cameraScan') }).click();
    await page.locator(`[data-testid="customer-card"][data-customer-id="${carded.id}"]`).waitFor();
    await expect(byTestId(page, 'camera-scan').count()).resolves.toBe(0);
    const tracks = await page.evaluate(() => (window as unknown as { cameraStreams: MediaStream[] }).cameraStreams.flatMap((s) => s.getTracks().map((t) => `${t.kind}:${t.readyState}`)));
    expect(tracks).toEqual(['video:ended']);
    await till.screenshot('directory-camera-scan-en.png', true);
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

    // A camera the person refused: the preview says so in Persian and closes.
    await page.evaluate(() => {
      navigator.mediaDevices.getUserMedia = () => Promise.reject(new DOMException('Permission denied', 'NotAllowedError'));
    });
    await page.getByRole('button', { name: text('fa', 'counter:cameraScan') }).click();
    await expect.poll(() => byTestId(page, 'camera-scan-message').textContent()).toBe(text('fa', 'counter:camera.denied'));
    await till.screenshot('directory-camera-denied-fa.png', true);
    await page.getByRole('button', { name: text('fa', 'counter:cameraClose') }).click();
    await expect(byTestId(page, 'camera-scan').count()).resolves.toBe(0);
    await switchLanguage(page, 'en');
  }, STEP);
});
