import { createHash } from 'node:crypto';
import { describe, expect, it, vi } from 'vitest';
import type { VisitReceipt } from '../../src/main/ipc/contract.ts';
import { parseCsp } from '../../src/main/policy/csp.ts';
import {
  escapeHtml,
  printReceipt,
  RECEIPT_CSP,
  receiptDataUrl,
  receiptHtml,
  type PrintOptions,
  type PrintWindowLike,
} from '../../src/main/services/printing.ts';

const XSS = '<img src=x onerror=alert(1)>';

const RECEIPT: VisitReceipt = {
  locale: 'en',
  businessName: 'Café "Patron" & Co',
  storeName: 'Main street',
  storeAddress: '12 Main St',
  visitId: '01890a5d-ac96-774b-bcce-b302099a8060',
  occurredAt: '2025-03-20T10:15:00.000Z',
  timeZone: 'Asia/Tehran',
  customerName: XSS,
  customerPhone: '+989121234567',
  staffName: "O'Brien",
  items: [
    { name: 'Latte', quantity: 2, unitPrice: 450 },
    { name: '</td></tr></table><script>alert(1)</script>', quantity: 1, unitPrice: 1234567 },
  ],
  subtotal: 1235467,
  discount: 500,
  total: 1234967,
  currency: 'USD',
  paymentMethod: 'card',
  pointsEarned: 12,
  pointsRedeemed: 0,
  pointsBalance: 1520,
};

const FA: VisitReceipt = {
  ...RECEIPT,
  locale: 'fa',
  businessName: 'کافه پاترون',
  storeName: 'شعبه ونک',
  storeAddress: '',
  customerName: 'سارا',
  currency: 'IRR',
  items: [{ name: 'لاته', quantity: 2, unitPrice: 1_250_000 }],
  subtotal: 2_500_000,
  discount: 0,
  total: 2_500_000,
  pointsEarned: 2500,
  pointsRedeemed: 300,
};

describe('receipt HTML', () => {
  it('escapes every value from the payload', () => {
    const html = receiptHtml(RECEIPT);
    expect(html).not.toContain('<img');
    expect(html).not.toContain('<script>');
    expect(html).not.toContain('onerror=alert(1)>');
    expect(html).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(html).toContain('&lt;/td&gt;&lt;/tr&gt;&lt;/table&gt;&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).toContain('Café &quot;Patron&quot; &amp; Co');
    expect(html).toContain('O&#39;Brien');
    expect(escapeHtml(`<>"'&`)).toBe('&lt;&gt;&quot;&#39;&amp;');
  });

  it('has exactly the tags the template writes (no injected element)', () => {
    const tags = new Set([...receiptHtml(RECEIPT).matchAll(/<([a-z0-9]+)[\s>/]/gi)].map((m) => m[1]?.toLowerCase()));
    expect([...tags].sort()).toEqual(
      [
        'bdi',
        'body',
        'dd',
        'dl',
        'dt',
        'h1',
        'head',
        'html',
        'main',
        'meta',
        'p',
        'style',
        'table',
        'tbody',
        'td',
        'tfoot',
        'th',
        'thead',
        'title',
        'tr',
      ].sort(),
    );
  });

  it('formats money from minor units and writes an English receipt left to right', () => {
    const html = receiptHtml(RECEIPT);
    expect(html).toMatch(/<html lang="en" dir="ltr">/);
    expect(html).toContain('$12,349.67');
    expect(html).toContain('$9.00');
    expect(html).toContain('$5.00'); // discount
    expect(html).toContain('1,520');
    expect(html).toContain('Card');
  });

  it('writes a Persian receipt right to left, with Persian digits and the Persian calendar', () => {
    const html = receiptHtml(FA);
    expect(html).toMatch(/<html lang="fa" dir="rtl">/);
    expect(html).toContain('کافه پاترون');
    expect(html).toContain('مبلغ قابل پرداخت');
    expect(html).toContain('۲٬۵۰۰٬۰۰۰'); // 2,500,000 rials in Persian digits and separators
    expect(html).toContain('۱٬۵۲۰'); // points balance
    expect(html).toContain('۳۰ اسفند ۱۴۰۳'); // 20 March 2025, 13:45 in Tehran: the last day of 1403
    expect(html).toMatch(/<bdi dir="ltr">\+۹۸۹۱۲۱۲۳۴۵۶۷<\/bdi>/);
    expect(html).toContain('<bdi dir="ltr" class="ref">01890A5D</bdi>'); // an id stays ASCII
    // Otherwise no ASCII digit in the visible text (style, tags, entities and the id aside).
    const text = html
      .replace(/<style>[\s\S]*<\/style>/, '')
      .replace(/<bdi dir="ltr" class="ref">.*?<\/bdi>/, '')
      .replace(/<[^>]+>|&#?\w+;/g, ' ');
    expect(text).not.toMatch(/[0-9]/);
  });

  it('carries a policy that loads nothing and runs nothing, allowing its one style by hash', () => {
    const html = receiptHtml(RECEIPT);
    const csp = parseCsp(RECEIPT_CSP);
    expect(csp.get('default-src')).toEqual(["'none'"]);
    expect(csp.has('script-src')).toBe(false);
    const style = html.match(/<style>([\s\S]*?)<\/style>/)?.[1] ?? '';
    expect(csp.get('style-src')).toEqual([`'sha256-${createHash('sha256').update(style).digest('base64')}'`]);
    expect(html).toContain(RECEIPT_CSP);
    expect(RECEIPT_CSP).not.toMatch(/unsafe/);
  });

  it('travels as a base64 data: URL', () => {
    const url = receiptDataUrl(receiptHtml(FA));
    expect(url.startsWith('data:text/html;charset=utf-8;base64,')).toBe(true);
    expect(Buffer.from(url.split(',')[1] ?? '', 'base64').toString('utf8')).toBe(receiptHtml(FA));
  });
});

function fakeWindow(outcome: { success: boolean; reason?: string } | 'never' | 'load-fails') {
  const print = vi.fn((_options: PrintOptions, callback: (success: boolean, failureReason: string) => void) => {
    if (outcome !== 'never' && outcome !== 'load-fails') callback(outcome.success, outcome.reason ?? '');
  });
  let destroyed = false;
  const win = {
    loadURL: vi.fn(async () => {
      if (outcome === 'load-fails') throw new Error('ERR_ABORTED');
    }),
    webContents: { print },
    destroy: vi.fn(() => {
      destroyed = true;
    }),
    isDestroyed: () => destroyed,
  } satisfies PrintWindowLike;
  return win;
}

describe('printReceipt', () => {
  it('prints silently to the configured printer when the terminal is set up for it', async () => {
    const win = fakeWindow({ success: true });
    const result = await printReceipt(RECEIPT, {
      createPrintWindow: () => win,
      printSettings: () => ({ silent: true, printerName: 'EPSON TM-T20III' }),
    });
    expect(result).toEqual({ printed: true });
    expect(win.loadURL).toHaveBeenCalledWith(receiptDataUrl(receiptHtml(RECEIPT)));
    expect(win.webContents.print.mock.calls[0]?.[0]).toEqual({
      silent: true,
      printBackground: false,
      deviceName: 'EPSON TM-T20III',
    });
    expect(win.destroy).toHaveBeenCalled();
  });

  it('shows the system dialog otherwise, and reports a cancel', async () => {
    const win = fakeWindow({ success: false, reason: 'cancelled' });
    const result = await printReceipt(FA, {
      createPrintWindow: () => win,
      printSettings: () => ({ silent: false, printerName: null }),
    });
    expect(result).toEqual({ printed: false, reason: 'cancelled' });
    expect(win.webContents.print.mock.calls[0]?.[0]).toEqual({ silent: false, printBackground: false });
    expect(win.destroy).toHaveBeenCalled();
  });

  it('gives up on a silent job that never finishes, and always tears the window down', async () => {
    const win = fakeWindow('never');
    const result = await printReceipt(RECEIPT, {
      createPrintWindow: () => win,
      printSettings: () => ({ silent: true, printerName: null }),
      silentTimeoutMs: 10,
    });
    expect(result).toEqual({ printed: false, reason: 'timed out' });
    expect(win.destroy).toHaveBeenCalled();
    const failing = fakeWindow('load-fails');
    expect(
      await printReceipt(RECEIPT, {
        createPrintWindow: () => failing,
        printSettings: () => ({ silent: false, printerName: null }),
      }),
    ).toEqual({
      printed: false,
      reason: 'ERR_ABORTED',
    });
    expect(failing.destroy).toHaveBeenCalled();
  });
});
