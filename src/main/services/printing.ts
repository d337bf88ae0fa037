import { createHash } from 'node:crypto';
import { formatMoney, MONEY_LOCALES } from '../../sync/model/money.ts';
import { toLocaleDigits } from '../../sync/model/text.ts';
import type { DesktopLocale, PrintResult, PrintSettings, VisitReceipt } from '../ipc/contract.ts';

// Visit receipts. `receiptHtml` is pure: every value from the payload is HTML-escaped, the document
// carries its own CSP (nothing may load, no script; its one <style> is allowed by hash) and it is printed
// from a hidden window with JavaScript off (printReceipt). Persian receipts are dir="rtl" with Persian
// digits and the Persian calendar; amounts are formatted by the model's formatMoney, like the UI.

type Labels = Record<
  | 'receipt'
  | 'date'
  | 'customer'
  | 'phone'
  | 'cashier'
  | 'item'
  | 'qty'
  | 'amount'
  | 'subtotal'
  | 'discount'
  | 'total'
  | 'payment'
  | 'pointsEarned'
  | 'pointsRedeemed'
  | 'pointsBalance'
  | 'reference'
  | 'thanks'
  | VisitReceipt['paymentMethod'],
  string
>;

const LABELS: Readonly<Record<DesktopLocale, Labels>> = {
  en: {
    receipt: 'Receipt',
    date: 'Date',
    customer: 'Customer',
    phone: 'Phone',
    cashier: 'Cashier',
    item: 'Item',
    qty: 'Qty',
    amount: 'Amount',
    subtotal: 'Subtotal',
    discount: 'Discount',
    total: 'Total',
    payment: 'Payment',
    pointsEarned: 'Points earned',
    pointsRedeemed: 'Points redeemed',
    pointsBalance: 'Points balance',
    reference: 'Ref.',
    thanks: 'Thank you for your visit!',
    cash: 'Cash',
    card: 'Card',
    mobile: 'Mobile payment',
    voucher: 'Voucher',
    other: 'Other',
  },
  fa: {
    receipt: 'رسید',
    date: 'تاریخ',
    customer: 'مشتری',
    phone: 'تلفن',
    cashier: 'صندوقدار',
    item: 'کالا',
    qty: 'تعداد',
    amount: 'مبلغ',
    subtotal: 'جمع',
    discount: 'تخفیف',
    total: 'مبلغ قابل پرداخت',
    payment: 'پرداخت',
    pointsEarned: 'امتیاز کسب‌شده',
    pointsRedeemed: 'امتیاز استفاده‌شده',
    pointsBalance: 'مانده امتیاز',
    reference: 'شماره',
    thanks: 'از مراجعه شما سپاسگزاریم!',
    cash: 'نقدی',
    card: 'کارت',
    mobile: 'پرداخت موبایلی',
    voucher: 'بن خرید',
    other: 'سایر',
  },
};

const ESCAPES: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** Escapes text for HTML element content and quoted attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ESCAPES[c] ?? c);
}

const STYLE = `
@page { margin: 4mm; }
body { margin: 0; font: 12px/1.4 system-ui, "Vazirmatn", Tahoma, sans-serif; color: #000; }
main { max-inline-size: 72mm; }
h1 { font-size: 15px; margin: 0; text-align: center; }
p { margin: 0; text-align: center; }
table { inline-size: 100%; border-collapse: collapse; margin-block: 6px; }
th, td { padding-block: 1px; text-align: start; vertical-align: top; }
.num { text-align: end; white-space: nowrap; }
thead th { border-block-end: 1px solid #000; }
tfoot tr:first-child td { border-block-start: 1px solid #000; }
.total td { font-weight: bold; }
dl { display: grid; grid-template-columns: auto 1fr; gap: 0 8px; margin: 6px 0; }
dt { font-weight: bold; }
dd { margin: 0; }
.thanks { margin-block-start: 8px; }
`;

/** The receipt document's own policy: nothing loads, nothing runs, only the style above applies. */
export const RECEIPT_CSP = `default-src 'none'; style-src 'sha256-${createHash('sha256').update(STYLE).digest('base64')}'; img-src 'none'; form-action 'none'; base-uri 'none'`;

/** Builds the HTML of a visit receipt in the receipt's language (fa: right-to-left, Persian digits). */
export function receiptHtml(receipt: VisitReceipt): string {
  const { locale } = receipt;
  const t = LABELS[locale];
  const intlLocale = MONEY_LOCALES[locale];
  const numbers = new Intl.NumberFormat(intlLocale);
  const money = (minor: number): string => escapeHtml(formatMoney(minor, receipt.currency, locale));
  const count = (n: number): string => escapeHtml(numbers.format(n));
  const date = new Intl.DateTimeFormat(intlLocale, {
    dateStyle: 'medium',
    timeStyle: 'short',
    timeZone: receipt.timeZone,
    ...(locale === 'fa' ? { calendar: 'persian' } : {}),
  }).format(new Date(receipt.occurredAt));
  // Phone numbers read left to right even inside Persian text, in the locale's digits.
  const ltr = (text: string): string => `<bdi dir="ltr">${escapeHtml(toLocaleDigits(text, locale))}</bdi>`;

  const rows = receipt.items
    .map(
      (item) =>
        `<tr><td>${escapeHtml(item.name)}</td><td class="num">${count(item.quantity)}</td>` +
        `<td class="num">${money(item.quantity * item.unitPrice)}</td></tr>`,
    )
    .join('\n');
  const details: [string, string][] = [
    [t.date, escapeHtml(date)],
    ...(receipt.customerName === null ? [] : [[t.customer, escapeHtml(receipt.customerName)] as [string, string]]),
    ...(receipt.customerPhone === null ? [] : [[t.phone, ltr(receipt.customerPhone)] as [string, string]]),
    [t.cashier, escapeHtml(receipt.staffName)],
    [t.payment, escapeHtml(t[receipt.paymentMethod])],
    // The reference is a hex id someone may type into a search: kept in ASCII, never mixed with ۰–۹.
    [t.reference, `<bdi dir="ltr" class="ref">${escapeHtml(receipt.visitId.slice(0, 8).toUpperCase())}</bdi>`],
  ];
  const points: [string, string][] = [
    ...(receipt.pointsEarned > 0 ? [[t.pointsEarned, count(receipt.pointsEarned)] as [string, string]] : []),
    ...(receipt.pointsRedeemed > 0 ? [[t.pointsRedeemed, count(receipt.pointsRedeemed)] as [string, string]] : []),
    ...(receipt.pointsBalance === null ? [] : [[t.pointsBalance, count(receipt.pointsBalance)] as [string, string]]),
  ];
  const list = (pairs: [string, string][]): string =>
    pairs.length === 0 ? '' : `<dl>${pairs.map(([k, v]) => `<dt>${escapeHtml(k)}</dt><dd>${v}</dd>`).join('')}</dl>`;

  return `<!doctype html>
<html lang="${locale}" dir="${locale === 'fa' ? 'rtl' : 'ltr'}">
<head>
<meta charset="utf-8" />
<meta http-equiv="Content-Security-Policy" content="${RECEIPT_CSP}" />
<title>${escapeHtml(`${t.receipt} — ${receipt.businessName}`)}</title>
<style>${STYLE}</style>
</head>
<body>
<main>
<h1>${escapeHtml(receipt.businessName)}</h1>
<p>${escapeHtml(receipt.storeName)}</p>
${receipt.storeAddress === '' ? '' : `<p>${escapeHtml(receipt.storeAddress)}</p>`}
${list(details)}
<table>
<thead><tr><th>${escapeHtml(t.item)}</th><th class="num">${escapeHtml(t.qty)}</th><th class="num">${escapeHtml(t.amount)}</th></tr></thead>
<tbody>
${rows}
</tbody>
<tfoot>
<tr><td colspan="2">${escapeHtml(t.subtotal)}</td><td class="num">${money(receipt.subtotal)}</td></tr>
${receipt.discount > 0 ? `<tr><td colspan="2">${escapeHtml(t.discount)}</td><td class="num">${money(receipt.discount)}</td></tr>` : ''}
<tr class="total"><td colspan="2">${escapeHtml(t.total)}</td><td class="num">${money(receipt.total)}</td></tr>
</tfoot>
</table>
${list(points)}
<p class="thanks">${escapeHtml(t.thanks)}</p>
</main>
</body>
</html>
`;
}

/** The options Electron's webContents.print takes that we use. */
export interface PrintOptions {
  silent: boolean;
  printBackground: boolean;
  deviceName?: string;
}

/** The part of a hidden BrowserWindow printing needs. */
export interface PrintWindowLike {
  loadURL(url: string): Promise<void>;
  readonly webContents: {
    print(options: PrintOptions, callback: (success: boolean, failureReason: string) => void): void;
  };
  destroy(): void;
  isDestroyed(): boolean;
}

/** What printing depends on: a hidden window from the window factory and the terminal's print settings. */
export interface PrintDeps {
  createPrintWindow(): PrintWindowLike;
  printSettings(): PrintSettings;
  /** How long a silent job may take before the window is torn down. */
  silentTimeoutMs?: number;
}

/** The receipt as a data: URL (base64, so no character of the document needs URL escaping). */
export function receiptDataUrl(html: string): string {
  return `data:text/html;charset=utf-8;base64,${Buffer.from(html, 'utf8').toString('base64')}`;
}

/**
 * Prints a receipt through a hidden window: silently to the configured printer when the terminal is set
 * up for it, otherwise through the system print dialog. The window is always destroyed afterwards.
 */
export async function printReceipt(receipt: VisitReceipt, deps: PrintDeps): Promise<PrintResult> {
  const settings = deps.printSettings();
  const win = deps.createPrintWindow();
  try {
    await win.loadURL(receiptDataUrl(receiptHtml(receipt)));
    const options: PrintOptions = {
      silent: settings.silent,
      printBackground: false,
      ...(settings.printerName === null ? {} : { deviceName: settings.printerName }),
    };
    return await new Promise<PrintResult>((resolve) => {
      const timer = settings.silent
        ? setTimeout(() => resolve({ printed: false, reason: 'timed out' }), deps.silentTimeoutMs ?? 60_000)
        : undefined;
      win.webContents.print(options, (success, failureReason) => {
        clearTimeout(timer);
        resolve(success ? { printed: true } : { printed: false, reason: failureReason || 'cancelled' });
      });
    });
  } catch (error) {
    return { printed: false, reason: error instanceof Error ? error.message : String(error) };
  } finally {
    if (!win.isDestroyed()) win.destroy();
  }
}
