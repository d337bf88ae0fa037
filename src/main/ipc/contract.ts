// The desktop bridge's contract: TYPES ONLY (Actual Budget's pattern). Main implements every channel in
// ipc/handlers.ts, the preload exposes one named function per channel, and the renderer reaches them
// through lib/platform.ts. This file is compiled in its own project with no lib types beyond ES2023, and a
// test checks that it emits no JavaScript, so nothing runtime can creep in here.

/** UI languages the desktop shell knows (receipts, window title). Matches the model's `Locale`. */
export type DesktopLocale = 'en' | 'fa';

/** What enrolment hands a terminal: who it is and its device credential (rotated on every token exchange). */
export interface DeviceCredential {
  terminalId: string;
  merchantId: string;
  storeId: string;
  /** The secret itself: 32–200 characters, stored only through the OS keychain on desktop. */
  credential: string;
  /** Earlier secrets, newest first (a restored sync server knows one of them). */
  earlier?: string[];
}

/** How receipts are printed on this terminal. */
export interface PrintSettings {
  /** Print without the system dialog (a counter printer); needs `printerName` or the system default. */
  silent: boolean;
  /** Printer to use; `null` = the system default. */
  printerName: string | null;
}

/** Settings of this terminal kept by the desktop shell (not replicated). */
export interface DesktopSettings {
  /** Base URL of the sync server: https, or http only for localhost / 127.0.0.1. `null` before enrolment. */
  syncServerUrl: string | null;
  printing: PrintSettings;
}

/** Answer of a sync-server change. */
export interface SyncServerUpdate {
  settings: DesktopSettings;
  /**
   * The page's Content-Security-Policy fixes `connect-src` when the page loads; after the server origin
   * changed the renderer must reload (location.reload()) before it can reach the new server.
   */
  reloadRequired: boolean;
}

/** One line of a printed receipt; prices in minor units. */
export interface ReceiptItem {
  name: string;
  quantity: number;
  unitPrice: number;
}

/** Everything a visit receipt shows. Amounts are integers in minor units of `currency`. */
export interface VisitReceipt {
  locale: DesktopLocale;
  businessName: string;
  storeName: string;
  storeAddress: string;
  visitId: string;
  /** ISO-8601 UTC business time of the visit. */
  occurredAt: string;
  /** IANA zone the date is shown in (the merchant's). */
  timeZone: string;
  customerName: string | null;
  customerPhone: string | null;
  staffName: string;
  items: ReceiptItem[];
  subtotal: number;
  discount: number;
  total: number;
  currency: string;
  paymentMethod: 'cash' | 'card' | 'mobile' | 'voucher' | 'other';
  pointsEarned: number;
  pointsRedeemed: number;
  /** Balance after the visit when known; `null` when offline data cannot say. */
  pointsBalance: number | null;
}

/** Outcome of a print job. */
export type PrintResult = { printed: true } | { printed: false; reason: string };

/** A printer the system knows. */
export interface PrinterInfo {
  name: string;
  displayName: string;
}

/**
 * Every IPC channel: its arguments and its result. The channel on the wire is `patron:<name>`; the preload
 * exposes a function of the same name; handlers.ts must implement each one (a mapped type enforces it).
 */
export interface IpcContract {
  storeDeviceCredential: { args: [credential: DeviceCredential]; result: void };
  readDeviceCredential: { args: []; result: DeviceCredential | null };
  clearDeviceCredential: { args: []; result: void };
  getSettings: { args: []; result: DesktopSettings };
  setSyncServerUrl: { args: [url: string | null]; result: SyncServerUpdate };
  setPrintSettings: { args: [printing: PrintSettings]; result: DesktopSettings };
  listPrinters: { args: []; result: PrinterInfo[] };
  printReceipt: { args: [receipt: VisitReceipt]; result: PrintResult };
  getAppVersion: { args: []; result: string };
}

/** Name of an IPC capability. */
export type IpcName = keyof IpcContract;

/** The channel string used on the wire for a capability. */
export type IpcChannel<N extends IpcName = IpcName> = `patron:${N}`;

/** What the preload exposes as `window.patron`: one named async function per capability, nothing else. */
export type PatronDesktopApi = {
  readonly [N in IpcName]: (...args: IpcContract[N]['args']) => Promise<IpcContract[N]['result']>;
};

/** Name of the global the preload exposes in the renderer's main world. */
export type PatronGlobalName = 'patron';
