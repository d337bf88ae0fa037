// The status bar's initial-sync progress as rendered (react-dom/server, the real i18next resources): the
// documents of the server's total with a percentage in English and Persian, or the count alone.
import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { beforeAll, describe, expect, it } from 'vitest';
import type { SyncStatus } from '../../src/sync/client/status.ts';
import { InitialSyncProgress } from '../../src/renderer/components/SyncStatusBar.tsx';
import { setupI18n } from '../../src/renderer/i18n/setup.ts';

type Progress = Pick<SyncStatus, 'received' | 'expected' | 'initialSyncDone'>;

let i18n: Awaited<ReturnType<typeof setupI18n>>;
beforeAll(async () => {
  i18n = await setupI18n('en');
});

/** The rendered text lines and the bar's value and max (null when the attribute is absent). */
async function render(locale: 'en' | 'fa', status: Progress, customersReady = false) {
  await i18n.changeLanguage(locale);
  const html = renderToStaticMarkup(createElement(InitialSyncProgress, { status, customersReady }));
  const bar = /<progress([^>]*)>/.exec(html)?.[1] ?? '';
  const attribute = (name: string) => new RegExp(`\\b${name}="([^"]*)"`).exec(bar)?.[1] ?? null;
  const lines = [...html.matchAll(/<span[^>]*>([^<]*)<\/span>/g)].map((match) => match[1]);
  return { lines, value: attribute('value'), max: attribute('max'), label: attribute('aria-label') };
}

describe('initial-sync progress in the status bar', () => {
  it('English: documents of the total and the percentage, over a bar whose max is the total', async () => {
    expect(await render('en', { received: 1234, expected: 5000, initialSyncDone: false })).toEqual({
      lines: ['Initial sync: 1,234 of 5,000 documents · 24%'],
      value: '1200',
      max: '5000',
      label: 'Initial sync',
    });
  });

  it('Persian: the same in Persian digits', async () => {
    const shown = await render('fa', { received: 1234, expected: 5000, initialSyncDone: false });
    expect(shown).toEqual({ lines: ['همگام‌سازی نخست: ۱٬۲۳۴ از ۵٬۰۰۰ سند · ۲۴٪'], value: '1200', max: '5000', label: 'همگام‌سازی نخست' });
    expect(shown.lines.join('')).not.toMatch(/[0-9]/);
  });

  it('says 99 % at most until the initial sync is done, also when writes meanwhile outgrow the total', async () => {
    expect((await render('en', { received: 5000, expected: 5000, initialSyncDone: false })).lines).toEqual(['Initial sync: 5,000 of 5,000 documents · 99%']);
    expect(await render('en', { received: 5010, expected: 5000, initialSyncDone: false })).toMatchObject({
      lines: ['Initial sync: 5,010 of 5,010 documents · 99%'],
      max: '5010',
    });
    expect((await render('fa', { received: 5000, expected: 5000, initialSyncDone: false })).lines).toEqual(['همگام‌سازی نخست: ۵٬۰۰۰ از ۵٬۰۰۰ سند · ۹۹٪']);
  });

  it('without a known total: the count alone over an indeterminate bar, no percentage', async () => {
    expect(await render('en', { received: 1234, initialSyncDone: false })).toEqual({
      lines: ['Initial sync: 1,234 documents received'],
      value: null,
      max: null,
      label: 'Initial sync',
    });
    expect((await render('en', { received: 1, initialSyncDone: false })).lines).toEqual(['Initial sync: 1 document received']);
    const fa = await render('fa', { received: 1234, initialSyncDone: false });
    expect(fa).toMatchObject({ lines: ['همگام‌سازی نخست: ۱٬۲۳۴ سند دریافت شد'], value: null, max: null });
  });

  it('uses the singular for a total of one, and shows when the customers are in', async () => {
    expect((await render('en', { received: 0, expected: 1, initialSyncDone: false })).lines).toEqual(['Initial sync: 0 of 1 document · 0%']);
    expect((await render('en', { received: 700, expected: 1000, initialSyncDone: false }, true)).lines).toEqual([
      'Initial sync: 700 of 1,000 documents · 70%',
      'Customers ready — lookup works',
    ]);
    expect((await render('fa', { received: 700, expected: 1000, initialSyncDone: false }, true)).lines).toEqual([
      'همگام‌سازی نخست: ۷۰۰ از ۱٬۰۰۰ سند · ۷۰٪',
      'مشتریان آماده‌اند — جست‌وجو کار می‌کند',
    ]);
  });
});
