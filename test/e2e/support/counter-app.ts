import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Locator, Page } from 'playwright-core';
import { REPO } from '../../helpers/web-build.ts';

// What a person does in the app, written once: the tests read as the cashier's and manager's steps. Texts
// come from the app's own locale files, so a step also checks the UI speaks the language it should.

type Messages = { [key: string]: string | Messages };

/** A UI string: `text('en', 'enrol:demoButton')`, with `{{name}}` placeholders filled from `vars`. */
export function text(locale: 'en' | 'fa', key: string, vars: Record<string, string | number> = {}): string {
  const [namespace, rest] = key.includes(':') ? (key.split(':', 2) as [string, string]) : ['common', key];
  const file = path.join(REPO, 'src/renderer/i18n/locales', locale, `${namespace}.json`);
  let node: string | Messages | undefined = JSON.parse(readFileSync(file, 'utf8')) as Messages;
  for (const part of rest.split('.')) node = typeof node === 'object' ? node[part] : undefined;
  if (typeof node !== 'string') throw new Error(`no string ${locale}:${key}`);
  return node.replace(/\{\{(\w+)\}\}/g, (_m, name: string) => String(vars[name] ?? `{{${name}}}`));
}

/** Persian digits of a number string (the app formats numbers with fa-IR). */
export function persianDigits(value: string): string {
  return value.replace(/\d/g, (d) => '۰۱۲۳۴۵۶۷۸۹'[Number(d)] ?? d);
}

export const byTestId = (page: Page, id: string): Locator => page.locator(`[data-testid="${id}"]`);

/** The sync status bar's machine-readable state. */
export async function syncState(page: Page): Promise<{ connection: string; pending: number; initialSync: string }> {
  const bar = byTestId(page, 'sync-status');
  return {
    connection: (await bar.getAttribute('data-connection')) ?? '',
    pending: Number(await bar.getAttribute('data-pending')),
    initialSync: (await bar.getAttribute('data-initial-sync')) ?? '',
  };
}

/** Waits until the status bar matches (polling the attributes the bar renders). */
export async function waitForSync(page: Page, want: { connection?: string; pending?: number | 'some'; initialSync?: 'done' }, timeout = 60_000): Promise<void> {
  await page.waitForFunction(
    (w) => {
      const bar = document.querySelector('[data-testid="sync-status"]');
      if (!bar) return false;
      const pending = Number(bar.getAttribute('data-pending'));
      return (
        (w.connection === undefined || bar.getAttribute('data-connection') === w.connection) &&
        (w.initialSync === undefined || bar.getAttribute('data-initial-sync') === w.initialSync) &&
        (w.pending === undefined || (w.pending === 'some' ? pending >= 1 : pending === w.pending))
      );
    },
    want,
    { timeout, polling: 100 },
  );
}

/** A fresh browser on the server's page: one click enrols it in the demo store (loopback only). */
export async function enrolInDemo(page: Page, url: string): Promise<void> {
  await page.goto(url);
  await page.getByRole('heading', { name: text('en', 'enrol:title') }).waitFor();
  await page.getByRole('button', { name: text('en', 'enrol:demoButton') }).click();
  await page.getByRole('heading', { name: text('en', 'signin:title') }).waitFor();
}

/** Picks the staff member (once their account has synced) and types the PIN on the on-screen pad. */
export async function signIn(page: Page, staff: { name: string; pin: string }, locale: 'en' | 'fa' = 'en'): Promise<void> {
  const choice = page.getByRole('radio', { name: staff.name });
  await choice.waitFor({ timeout: 60_000 });
  await choice.check();
  const pad = page.getByRole('group', { name: text(locale, 'signin:pad') });
  // The pad shows digits in the UI's script (Persian digits in Persian).
  for (const digit of staff.pin) {
    await pad.getByRole('button', { name: locale === 'fa' ? persianDigits(digit) : digit, exact: true }).click();
  }
  await page.getByRole('button', { name: text(locale, 'signin:submit'), exact: true }).click();
  await byTestId(page, 'lookup-input').waitFor();
}

/** Types into the lookup key by key, as a cashier does (every keystroke runs the lookup). */
export async function typeLookup(page: Page, typed: string): Promise<void> {
  const input = byTestId(page, 'lookup-input');
  await input.fill('');
  await input.pressSequentially(typed, { delay: 30 });
  const value = await input.inputValue();
  if (value !== typed) throw new Error(`the lookup field holds ${JSON.stringify(value)}, not ${JSON.stringify(typed)}`);
}

/** Opens a customer from the lookup results by id; returns the card. */
export async function openFromResults(page: Page, customerId: string): Promise<Locator> {
  const result = page.locator(`[data-testid="lookup-result"][data-customer-id="${customerId}"]`);
  await result.waitFor();
  await result.click();
  const card = page.locator(`[data-testid="customer-card"][data-customer-id="${customerId}"]`);
  await card.waitFor();
  await byTestId(page, 'customer-points').waitFor();
  return card;
}

/** The open card's balance as the app computed it (data-points), once its ledger has loaded. */
export async function cardPoints(page: Page): Promise<number> {
  const value = await byTestId(page, 'customer-points').getAttribute('data-points');
  return Number(value);
}

/** Waits until the open card shows `points`. */
export async function waitForPoints(page: Page, points: number, timeout = 30_000): Promise<void> {
  await page.waitForFunction((n) => document.querySelector('[data-testid="customer-points"]')?.getAttribute('data-points') === String(n), points, { timeout, polling: 100 });
}

/** Records a visit of `amount` on the open card; returns the points the form said it would earn. */
export async function recordVisit(page: Page, amount: string): Promise<number> {
  const form = byTestId(page, 'visit-form');
  await form.locator('#visit-amount').fill(amount);
  // The preview follows the amount once the card's ledger summary is loaded.
  const handle = await page.waitForFunction(() => Number(document.querySelector('[data-testid="earn-preview"]')?.getAttribute('data-points') ?? 0) || null);
  const points = Number(await handle.jsonValue());
  await form.getByRole('button', { name: text('en', 'counter:recordVisit') }).click();
  await byTestId(page, 'visit-recorded').waitFor();
  return points;
}

/** Switches the UI language with the header's select (labelled in the current language). */
export async function switchLanguage(page: Page, to: 'en' | 'fa'): Promise<void> {
  await page.locator('.language-switch select').selectOption(to);
  await page.waitForFunction((lang) => document.documentElement.lang === lang, to);
}

/**
 * Completes the open sign-up form with `name` and submits it (confirming "create anyway" if the app suspects
 * a duplicate); returns the new customer's id from the card that opens.
 */
export async function signUp(page: Page, input: { name: string }): Promise<string> {
  const form = byTestId(page, 'signup-form');
  await form.waitFor();
  await form.locator('#signup-name').fill(input.name);
  await form.getByRole('button', { name: text('en', 'counter:signUpSubmit') }).click();
  const card = page.locator('[data-testid="customer-card"]').filter({ has: page.locator('#customer-name', { hasText: input.name }) });
  const anyway = page.getByRole('button', { name: text('en', 'counter:createAnyway') });
  await card.or(anyway).first().waitFor();
  if (await anyway.isVisible()) await anyway.click();
  await card.waitFor();
  const id = await card.getAttribute('data-customer-id');
  if (!id) throw new Error('the new customer card has no id');
  return id;
}
