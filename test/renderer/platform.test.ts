import { IDBFactory } from 'fake-indexeddb';
import { describe, expect, it, vi } from 'vitest';
import type { DeviceCredential, PatronDesktopApi, VisitReceipt } from '../../src/main/ipc/contract.ts';
import {
  CAPABILITY_NAMES,
  createPlatform,
  desktopBridge,
  printInPage,
  receiptElement,
  webPlatform,
  type WebEnvironment,
} from '../../src/renderer/lib/platform.ts';

const CREDENTIAL: DeviceCredential = {
  terminalId: '01890a5d-ac96-774b-bcce-b302099a8057',
  merchantId: '01890a5d-ac96-774b-bcce-b302099a8058',
  storeId: '01890a5d-ac96-774b-bcce-b302099a8059',
  credential: 'y'.repeat(40),
};

const RECEIPT: VisitReceipt = {
  locale: 'fa',
  businessName: 'کافه پاترون',
  storeName: 'شعبه ونک',
  storeAddress: '',
  visitId: '01890a5d-ac96-774b-bcce-b302099a8060',
  occurredAt: '2025-03-20T10:15:00.000Z',
  timeZone: 'Asia/Tehran',
  customerName: '<img src=x onerror=alert(1)>',
  customerPhone: null,
  staffName: 'علی',
  items: [{ name: 'لاته', quantity: 2, unitPrice: 1_250_000 }],
  subtotal: 2_500_000,
  discount: 0,
  total: 2_500_000,
  currency: 'IRR',
  paymentMethod: 'cash',
  pointsEarned: 2500,
  pointsRedeemed: 0,
  pointsBalance: null,
};

function fakeBridge(): PatronDesktopApi {
  return Object.freeze({
    storeDeviceCredential: vi.fn(async () => {}),
    readDeviceCredential: vi.fn(async () => CREDENTIAL),
    clearDeviceCredential: vi.fn(async () => {}),
    getSettings: vi.fn(async () => ({
      syncServerUrl: 'https://sync.example.com',
      printing: { silent: true, printerName: 'P' },
    })),
    setSyncServerUrl: vi.fn(async () => ({
      settings: { syncServerUrl: null, printing: { silent: false, printerName: null } },
      reloadRequired: true,
    })),
    setPrintSettings: vi.fn(async () => ({ syncServerUrl: null, printing: { silent: false, printerName: null } })),
    listPrinters: vi.fn(async () => [{ name: 'P', displayName: 'Printer' }]),
    printReceipt: vi.fn(async () => ({ printed: true as const })),
    getAppVersion: vi.fn(async () => '9.9.9'),
  });
}

function memoryStorage() {
  const data = new Map<string, string>();
  return {
    data,
    getItem: (key: string) => data.get(key) ?? null,
    setItem: (key: string, value: string) => void data.set(key, value),
    removeItem: (key: string) => void data.delete(key),
  };
}

function webEnv(overrides: Partial<WebEnvironment> = {}): WebEnvironment {
  return {
    indexedDB: new IDBFactory(),
    storage: memoryStorage(),
    origin: 'https://sync.example.com',
    version: '0.1.0',
    print: vi.fn(async () => ({ printed: true as const })),
    ...overrides,
  };
}

describe('choosing the platform', () => {
  it('uses the desktop bridge when the preload exposed window.patron', async () => {
    const bridge = fakeBridge();
    const web = vi.fn(webEnv);
    const platform = createPlatform(bridge, web);
    expect(platform.kind).toBe('desktop');
    expect(web).not.toHaveBeenCalled();
    expect(await platform.getAppVersion()).toBe('9.9.9');
    await platform.storeDeviceCredential(CREDENTIAL);
    expect(bridge.storeDeviceCredential).toHaveBeenCalledWith(CREDENTIAL);
    expect(Object.keys(platform).sort()).toEqual([...CAPABILITY_NAMES, 'kind'].sort());
  });

  it('falls back to the web implementation in a browser', async () => {
    const platform = createPlatform(undefined, () => webEnv());
    expect(platform.kind).toBe('web');
    expect(await platform.getAppVersion()).toBe('0.1.0');
    expect(await platform.listPrinters()).toEqual([]);
  });

  it('refuses a broken bridge instead of quietly moving the credential to web storage', () => {
    const { printReceipt: _dropped, ...partial } = fakeBridge();
    expect(() => createPlatform(partial, () => webEnv())).toThrow(/lacks printReceipt/);
    expect(() => createPlatform({ ...fakeBridge(), getSettings: 'nope' }, () => webEnv())).toThrow(/lacks getSettings/);
    expect(() => createPlatform('patron', () => webEnv())).toThrow(/not the Patron desktop bridge/);
    expect(desktopBridge(null)).toBeNull();
  });
});

describe('web fallback', () => {
  it('keeps the device credential in IndexedDB', async () => {
    const env = webEnv();
    const platform = webPlatform(env);
    expect(await platform.readDeviceCredential()).toBeNull();
    await platform.storeDeviceCredential(CREDENTIAL);
    expect(await webPlatform(env).readDeviceCredential()).toEqual(CREDENTIAL);
    await platform.clearDeviceCredential();
    expect(await platform.readDeviceCredential()).toBeNull();
  });

  it('refuses a malformed credential', async () => {
    const platform = webPlatform(webEnv());
    await expect(platform.storeDeviceCredential({ ...CREDENTIAL, credential: 'short' })).rejects.toThrow(/invalid/);
    await expect(platform.storeDeviceCredential({ ...CREDENTIAL, extra: 1 } as DeviceCredential)).rejects.toThrow(
      /invalid/,
    );
  });

  it('says so when IndexedDB is missing', async () => {
    await expect(webPlatform(webEnv({ indexedDB: undefined })).readDeviceCredential()).rejects.toThrow(/IndexedDB/);
  });

  it('keeps settings in localStorage; the sync server is the one that served the app', async () => {
    const storage = memoryStorage();
    const platform = webPlatform(webEnv({ storage }));
    expect(await platform.getSettings()).toEqual({
      syncServerUrl: 'https://sync.example.com',
      printing: { silent: false, printerName: null },
    });
    expect(await platform.setSyncServerUrl('https://sync.example.com/patron/')).toEqual({
      settings: { syncServerUrl: 'https://sync.example.com/patron', printing: { silent: false, printerName: null } },
      reloadRequired: false,
    });
    await expect(platform.setSyncServerUrl('https://other.example.com')).rejects.toThrow(/served it/);
    await expect(platform.setSyncServerUrl('https://sync.example.com/?token=1')).rejects.toThrow(/query/);
    await platform.setPrintSettings({ silent: true, printerName: 'P' });
    expect(JSON.parse(storage.data.get('patron.settings') ?? '{}')).toMatchObject({
      printing: { silent: true, printerName: 'P' },
    });
    storage.data.set('patron.settings', '{broken');
    expect((await platform.getSettings()).syncServerUrl).toBe('https://sync.example.com');
  });

  it('prints through the environment (window.print in a browser)', async () => {
    const env = webEnv();
    await webPlatform(env).printReceipt(RECEIPT);
    expect(env.print).toHaveBeenCalledWith(RECEIPT);
  });
});

// A minimal DOM for the receipt: enough to see that text goes in as text, never parsed as HTML.
class FakeElement {
  children: FakeElement[] = [];
  attributes = new Map<string, string>();
  style = { display: '' };
  textContent: string | null = null;
  parent: FakeElement | null = null;
  constructor(readonly tagName: string) {}
  setAttribute(name: string, value: string) {
    this.attributes.set(name, value);
  }
  append(...nodes: FakeElement[]) {
    for (const node of nodes) {
      node.parent = this;
      this.children.push(node);
    }
  }
  remove() {
    if (this.parent) this.parent.children = this.parent.children.filter((c) => c !== this);
  }
  get text(): string {
    return [this.textContent ?? '', ...this.children.map((c) => c.text)].join('\n');
  }
}

describe('web receipt', () => {
  const doc = { createElement: (tag: string) => new FakeElement(tag) } as unknown as Document;

  it('is built from text nodes, right to left with Persian digits for fa', () => {
    const el = receiptElement(RECEIPT, doc) as unknown as FakeElement;
    expect(el.attributes.get('dir')).toBe('rtl');
    expect(el.attributes.get('lang')).toBe('fa');
    const all = (e: FakeElement): FakeElement[] => [e, ...e.children.flatMap(all)];
    expect(all(el).map((e) => e.tagName)).not.toContain('img');
    expect(el.text).toContain('<img src=x onerror=alert(1)>'); // as text, not an element
    expect(el.text).toContain('۲٬۵۰۰٬۰۰۰');
    expect(el.text).toContain('مبلغ قابل پرداخت');
  });

  it('hides the app while printing and restores it afterwards', async () => {
    const body = new FakeElement('body');
    const app = new FakeElement('div');
    app.style.display = 'grid';
    body.append(app);
    const page = { createElement: (tag: string) => new FakeElement(tag), body } as unknown as Document;
    const seen: string[] = [];
    const result = await printInPage(RECEIPT, page, {
      print: () => {
        seen.push(app.style.display, String(body.children.length));
      },
    });
    expect(result).toEqual({ printed: true });
    expect(seen).toEqual(['none', '2']);
    expect(app.style.display).toBe('grid');
    expect(body.children).toEqual([app]);
  });
});
