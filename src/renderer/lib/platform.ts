import type {
  DesktopLocale,
  DesktopSettings,
  DeviceCredential,
  IpcName,
  PatronDesktopApi,
  PrintResult,
  VisitReceipt,
} from '../../main/ipc/contract.ts';
import { formatMoney, MONEY_LOCALES } from '../../sync/model/money.ts';

// The platform adapter: the renderer's only door to the machine. In the desktop app it is the preload's
// `window.patron` bridge (OS keychain, settings file, silent printing); in a browser (the installable web
// app) the same functions are implemented with web APIs, so one renderer runs in both.

/** Which implementation is in use. */
export type PlatformKind = 'desktop' | 'web';

/** The capabilities, whichever side implements them. */
export type Platform = PatronDesktopApi & { readonly kind: PlatformKind };

// Exhaustive by type: adding a capability to the contract fails compilation here until it is listed.
const CAPABILITIES = {
  storeDeviceCredential: true,
  readDeviceCredential: true,
  clearDeviceCredential: true,
  getSettings: true,
  setSyncServerUrl: true,
  setPrintSettings: true,
  listPrinters: true,
  printReceipt: true,
  getAppVersion: true,
} as const satisfies Record<IpcName, true>;

/** Every capability name. */
export const CAPABILITY_NAMES = Object.keys(CAPABILITIES) as IpcName[];

/**
 * The desktop bridge if `candidate` (window.patron) is one, null when absent. A present but incomplete
 * bridge throws: falling back to web storage inside the desktop app would quietly move the device
 * credential out of the OS keychain.
 */
export function desktopBridge(candidate: unknown): PatronDesktopApi | null {
  if (candidate === undefined || candidate === null) return null;
  if (typeof candidate !== 'object') throw new Error('window.patron is not the Patron desktop bridge');
  const missing = CAPABILITY_NAMES.filter((name) => typeof (candidate as Record<string, unknown>)[name] !== 'function');
  if (missing.length > 0) throw new Error(`the Patron desktop bridge lacks ${missing.join(', ')}`);
  return candidate as PatronDesktopApi;
}

/** What the web implementation uses; browser globals by default, fakes in tests. */
export interface WebEnvironment {
  indexedDB: IDBFactory | undefined;
  storage: Pick<Storage, 'getItem' | 'setItem' | 'removeItem'> | undefined;
  /** location.origin: the sync server that served the web app. */
  origin: string;
  version: string;
  print(receipt: VisitReceipt): Promise<PrintResult>;
}

const DB_NAME = 'patron-device';
const DB_STORE = 'credential';
const DB_KEY = 'device';
const SETTINGS_KEY = 'patron.settings';

function request<T>(req: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error ?? new Error('IndexedDB request failed'));
  });
}

async function withStore<T>(
  factory: IDBFactory,
  mode: IDBTransactionMode,
  run: (store: IDBObjectStore) => IDBRequest<T>,
): Promise<T> {
  const open = factory.open(DB_NAME, 1);
  open.onupgradeneeded = () => open.result.createObjectStore(DB_STORE);
  const db = await request(open);
  try {
    const tx = db.transaction(DB_STORE, mode);
    const result = await request(run(tx.objectStore(DB_STORE)));
    await new Promise<void>((resolve, reject) => {
      tx.oncomplete = () => resolve();
      tx.onerror = () => reject(tx.error ?? new Error('IndexedDB transaction failed'));
      tx.onabort = () => reject(tx.error ?? new Error('IndexedDB transaction aborted'));
    });
    return result;
  } finally {
    db.close();
  }
}

function isCredential(value: unknown): value is DeviceCredential {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  const keys = Object.keys(v).filter((k) => k !== 'earlier').sort().join(',');
  const earlier = v.earlier === undefined || (Array.isArray(v.earlier) && v.earlier.every((c) => typeof c === 'string' && c.length >= 32 && c.length <= 200));
  return (
    earlier &&
    keys === 'credential,merchantId,storeId,terminalId' &&
    ['terminalId', 'merchantId', 'storeId'].every((k) => typeof v[k] === 'string') &&
    typeof v.credential === 'string' &&
    v.credential.length >= 32 &&
    v.credential.length <= 200
  );
}

/** The web build's sync server URL rule: the server that served the app (CSP connect-src is 'self'). */
function sameOriginServerUrl(raw: string, origin: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new Error('not a URL');
  }
  if (url.origin !== origin) throw new Error('the web app can only sync with the server that served it');
  if (url.username !== '' || url.password !== '' || url.search !== '' || url.hash !== '') {
    throw new Error('no credentials, query or fragment in the sync server URL');
  }
  return `${url.origin}${url.pathname.replace(/\/+$/, '')}`;
}

/** The web implementation: IndexedDB for the credential, localStorage for settings, window.print. */
export function webPlatform(env: WebEnvironment): Platform {
  const db = (): IDBFactory => {
    if (!env.indexedDB) throw new Error('IndexedDB is not available');
    return env.indexedDB;
  };
  const defaults = (): DesktopSettings => ({
    syncServerUrl: env.origin,
    printing: { silent: false, printerName: null },
  });
  const readSettings = (): DesktopSettings => {
    try {
      const stored = JSON.parse(env.storage?.getItem(SETTINGS_KEY) ?? 'null') as Partial<DesktopSettings> | null;
      if (stored === null || typeof stored !== 'object') return defaults();
      const syncServerUrl = typeof stored.syncServerUrl === 'string' ? stored.syncServerUrl : env.origin;
      const printing =
        stored.printing && typeof stored.printing.silent === 'boolean' ? stored.printing : defaults().printing;
      return { syncServerUrl, printing: { silent: printing.silent, printerName: printing.printerName ?? null } };
    } catch {
      return defaults();
    }
  };
  const writeSettings = (settings: DesktopSettings): DesktopSettings => {
    env.storage?.setItem(SETTINGS_KEY, JSON.stringify(settings));
    return settings;
  };

  return {
    kind: 'web',
    async storeDeviceCredential(credential) {
      if (!isCredential(credential)) throw new Error('invalid device credential');
      const { terminalId, merchantId, storeId, earlier } = credential;
      await withStore(db(), 'readwrite', (s) =>
        s.put({ terminalId, merchantId, storeId, credential: credential.credential, ...(earlier ? { earlier } : {}) }, DB_KEY),
      );
    },
    async readDeviceCredential() {
      const value: unknown = await withStore(db(), 'readonly', (s) => s.get(DB_KEY));
      return isCredential(value) ? value : null;
    },
    async clearDeviceCredential() {
      await withStore(db(), 'readwrite', (s) => s.delete(DB_KEY));
    },
    getSettings: async () => readSettings(),
    async setSyncServerUrl(url) {
      const syncServerUrl = url === null ? env.origin : sameOriginServerUrl(url, env.origin);
      return { settings: writeSettings({ ...readSettings(), syncServerUrl }), reloadRequired: false };
    },
    // Kept for a later desktop install; a browser cannot print silently or choose a printer.
    setPrintSettings: async (printing) => writeSettings({ ...readSettings(), printing: { ...printing } }),
    listPrinters: async () => [],
    printReceipt: (receipt) => env.print(receipt),
    getAppVersion: async () => env.version,
  };
}

/** Chooses the implementation: the desktop bridge when the preload exposed one, else the web one. */
export function createPlatform(bridgeCandidate: unknown, web: () => WebEnvironment): Platform {
  const bridge = desktopBridge(bridgeCandidate);
  if (bridge === null) return webPlatform(web());
  const desktop = Object.fromEntries(CAPABILITY_NAMES.map((name) => [name, bridge[name]])) as PatronDesktopApi;
  return { ...desktop, kind: 'desktop' };
}

// ---- web printing: the receipt is built with DOM APIs (textContent, so names are never parsed as HTML) ----

type ReceiptLabel =
  'date' | 'customer' | 'cashier' | 'subtotal' | 'discount' | 'total' | 'earned' | 'redeemed' | 'balance' | 'thanks';

const LABELS: Readonly<Record<DesktopLocale, Record<ReceiptLabel, string>>> = {
  en: {
    date: 'Date',
    customer: 'Customer',
    cashier: 'Cashier',
    subtotal: 'Subtotal',
    discount: 'Discount',
    total: 'Total',
    earned: 'Points earned',
    redeemed: 'Points redeemed',
    balance: 'Points balance',
    thanks: 'Thank you for your visit!',
  },
  fa: {
    date: 'تاریخ',
    customer: 'مشتری',
    cashier: 'صندوقدار',
    subtotal: 'جمع',
    discount: 'تخفیف',
    total: 'مبلغ قابل پرداخت',
    earned: 'امتیاز کسب‌شده',
    redeemed: 'امتیاز استفاده‌شده',
    balance: 'مانده امتیاز',
    thanks: 'از مراجعه شما سپاسگزاریم!',
  },
};

/** The receipt as a detached DOM element (for printing in the page). */
export function receiptElement(receipt: VisitReceipt, doc: Pick<Document, 'createElement'>): HTMLElement {
  const t = LABELS[receipt.locale];
  const intl = MONEY_LOCALES[receipt.locale];
  const count = new Intl.NumberFormat(intl);
  const money = (minor: number): string => formatMoney(minor, receipt.currency, receipt.locale);
  const el = (tag: string, text?: string): HTMLElement => {
    const node = doc.createElement(tag);
    if (text !== undefined) node.textContent = text;
    return node;
  };
  const line = (label: string, value: string): HTMLElement => el('p', `${label}: ${value}`);
  const root = el('section');
  root.setAttribute('lang', receipt.locale);
  root.setAttribute('dir', receipt.locale === 'fa' ? 'rtl' : 'ltr');
  root.setAttribute('data-patron-receipt', '');
  const date = new Intl.DateTimeFormat(intl, {
    dateStyle: 'medium',
    timeStyle: 'short',
    timeZone: receipt.timeZone,
  }).format(new Date(receipt.occurredAt));
  root.append(el('h1', receipt.businessName), el('p', receipt.storeName), line(t.date, date));
  if (receipt.customerName !== null) root.append(line(t.customer, receipt.customerName));
  root.append(line(t.cashier, receipt.staffName));
  for (const item of receipt.items)
    root.append(el('p', `${item.name} × ${count.format(item.quantity)} — ${money(item.quantity * item.unitPrice)}`));
  root.append(line(t.subtotal, money(receipt.subtotal)));
  if (receipt.discount > 0) root.append(line(t.discount, money(receipt.discount)));
  root.append(line(t.total, money(receipt.total)));
  if (receipt.pointsEarned > 0) root.append(line(t.earned, count.format(receipt.pointsEarned)));
  if (receipt.pointsRedeemed > 0) root.append(line(t.redeemed, count.format(receipt.pointsRedeemed)));
  if (receipt.pointsBalance !== null) root.append(line(t.balance, count.format(receipt.pointsBalance)));
  root.append(el('p', t.thanks));
  return root;
}

/**
 * Prints a receipt with window.print(): the app is hidden (inline style through the CSSOM, which the CSP
 * allows) while the receipt alone is in the page. A browser does not say whether the user printed or
 * cancelled, so `printed: true` means the print dialog was shown.
 */
export async function printInPage(
  receipt: VisitReceipt,
  doc: Document,
  win: Pick<Window, 'print'>,
): Promise<PrintResult> {
  const hidden = [...doc.body.children].filter((child): child is HTMLElement => 'style' in child);
  const previous = hidden.map((child) => child.style.display);
  const sheet = receiptElement(receipt, doc);
  hidden.forEach((child) => (child.style.display = 'none'));
  doc.body.append(sheet);
  try {
    win.print();
    return { printed: true };
  } finally {
    sheet.remove();
    hidden.forEach((child, i) => (child.style.display = previous[i] ?? ''));
  }
}

declare const __PATRON_VERSION__: string | undefined;

function browserEnvironment(): WebEnvironment {
  return {
    indexedDB: globalThis.indexedDB,
    storage: globalThis.localStorage,
    origin: globalThis.location.origin,
    version: typeof __PATRON_VERSION__ === 'string' ? __PATRON_VERSION__ : '0.0.0-dev',
    print: (receipt) => printInPage(receipt, document, window),
  };
}

let current: Platform | null = null;

/** The platform of this page (created on first use). */
export function getPlatform(): Platform {
  current ??= createPlatform((globalThis as { patron?: unknown }).patron, browserEnvironment);
  return current;
}
