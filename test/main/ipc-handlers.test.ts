import { describe, expect, it, vi } from 'vitest';
import type { DeviceCredential, IpcName, VisitReceipt } from '../../src/main/ipc/contract.ts';
import {
  channelOf,
  createIpcHandlers,
  IpcRefusedError,
  registerIpcHandlers,
  type IpcServices,
} from '../../src/main/ipc/handlers.ts';
import { IPC_NAMES } from '../../src/main/ipc/schemas.ts';
import { isTrustedSender, type IpcEventLike } from '../../src/main/policy/sender.ts';
import { DEFAULT_SETTINGS, type StoredSettings } from '../../src/main/services/settings.ts';

const MAIN_ID = 7;
const CREDENTIAL: DeviceCredential = {
  terminalId: '01890a5d-ac96-774b-bcce-b302099a8057',
  merchantId: '01890a5d-ac96-774b-bcce-b302099a8058',
  storeId: '01890a5d-ac96-774b-bcce-b302099a8059',
  credential: 'x'.repeat(43),
};
const RECEIPT: VisitReceipt = {
  locale: 'en',
  businessName: 'Café Patron',
  storeName: 'Main street',
  storeAddress: '',
  visitId: '01890a5d-ac96-774b-bcce-b302099a8060',
  occurredAt: '2025-03-20T10:15:00.000Z',
  timeZone: 'Asia/Tehran',
  customerName: 'Sara',
  customerPhone: '+989121234567',
  staffName: 'Ali',
  items: [{ name: 'Latte', quantity: 2, unitPrice: 450 }],
  subtotal: 900,
  discount: 0,
  total: 900,
  currency: 'USD',
  paymentMethod: 'card',
  pointsEarned: 9,
  pointsRedeemed: 0,
  pointsBalance: 120,
};

/** Valid arguments for each capability. */
const VALID_ARGS: { [N in IpcName]: unknown[] } = {
  storeDeviceCredential: [CREDENTIAL],
  readDeviceCredential: [],
  clearDeviceCredential: [],
  getSettings: [],
  setSyncServerUrl: ['https://sync.example.com'],
  setPrintSettings: [{ silent: true, printerName: 'EPSON TM-T20III' }],
  listPrinters: [],
  printReceipt: [RECEIPT],
  getAppVersion: [],
};

function fakeServices() {
  let settings: StoredSettings = DEFAULT_SETTINGS;
  const services = {
    keychain: { store: vi.fn(async () => {}), read: vi.fn(async () => CREDENTIAL), clear: vi.fn(async () => {}) },
    settings: {
      get: vi.fn(() => settings),
      desktopSettings: vi.fn(() => ({ syncServerUrl: settings.syncServerUrl, printing: settings.printing })),
      update: vi.fn(async (change: Partial<StoredSettings>) => (settings = { ...settings, ...change })),
    },
    printReceipt: vi.fn(async () => ({ printed: true as const })),
    listPrinters: vi.fn(async () => [{ name: 'EPSON', displayName: 'Epson TM' }]),
    appVersion: vi.fn(() => '1.2.3'),
  } satisfies IpcServices;
  const touched = () =>
    [
      services.keychain.store,
      services.keychain.read,
      services.keychain.clear,
      services.settings.get,
      services.settings.desktopSettings,
      services.settings.update,
      services.printReceipt,
      services.listPrinters,
      services.appVersion,
    ].some((fn) => fn.mock.calls.length > 0);
  return { services, touched };
}

const policy = { trustedWebContentsId: () => MAIN_ID, devServerOrigin: null };

function event(overrides: { id?: number; url?: string; parent?: unknown; frame?: null } = {}): IpcEventLike {
  return {
    sender: { id: overrides.id ?? MAIN_ID },
    senderFrame:
      overrides.frame === null
        ? null
        : { url: overrides.url ?? 'app://patron/index.html', parent: overrides.parent ?? null },
  };
}

const FOREIGN_SENDERS: [string, IpcEventLike][] = [
  ['another webContents (the print window, a devtools page)', event({ id: 8 })],
  ['an iframe of our window', event({ parent: { url: 'app://patron/index.html' } })],
  ['an iframe on a foreign site', event({ url: 'https://evil.com/', parent: { url: 'app://patron/index.html' } })],
  ['our window navigated to a foreign page', event({ url: 'https://evil.com/' })],
  ['our window showing a file:// page', event({ url: 'file:///tmp/x.html' })],
  ['our window showing a data: page', event({ url: 'data:text/html,<script>1</script>' })],
  ['a look-alike app host', event({ url: 'app://patron.evil/index.html' })],
  ['the dev server when none is trusted', event({ url: 'http://localhost:5173/' })],
  ['a frame that is gone', event({ frame: null })],
];

describe('sender check', () => {
  it('trusts the main window top frame on app://patron/', () => {
    expect(isTrustedSender(event(), policy)).toBe(true);
    expect(isTrustedSender(event({ url: 'app://patron/customers/1' }), policy)).toBe(true);
  });

  it.each(FOREIGN_SENDERS)('refuses %s', (_what, e) => {
    expect(isTrustedSender(e, policy)).toBe(false);
  });

  it('trusts nothing while there is no main window', () => {
    expect(isTrustedSender(event(), { trustedWebContentsId: () => null, devServerOrigin: null })).toBe(false);
  });

  it('trusts the dev server only when told (unpackaged runs)', () => {
    const dev = { trustedWebContentsId: () => MAIN_ID, devServerOrigin: 'http://localhost:5173' };
    expect(isTrustedSender(event({ url: 'http://localhost:5173/index.html' }), dev)).toBe(true);
    expect(isTrustedSender(event({ url: 'http://localhost:5174/index.html' }), dev)).toBe(false);
  });
});

describe('IPC handlers', () => {
  it('implements every capability of the contract', () => {
    const { services } = fakeServices();
    expect(Object.keys(createIpcHandlers(services, policy)).sort()).toEqual([...IPC_NAMES].sort());
    expect(Object.keys(VALID_ARGS).sort()).toEqual([...IPC_NAMES].sort());
  });

  it.each(IPC_NAMES)('%s works for the trusted sender with a valid payload', async (name) => {
    const { services, touched } = fakeServices();
    const handlers = createIpcHandlers(services, policy);
    await expect(handlers[name](event(), ...VALID_ARGS[name])).resolves.not.toBeInstanceOf(Error);
    expect(touched()).toBe(true);
  });

  describe.each(IPC_NAMES)('%s', (name) => {
    it.each(FOREIGN_SENDERS)('refuses %s before doing anything', async (_what, e) => {
      const { services, touched } = fakeServices();
      const handlers = createIpcHandlers(services, policy);
      await expect(handlers[name](e, ...VALID_ARGS[name])).rejects.toThrow(/untrusted sender/);
      expect(touched()).toBe(false);
    });

    it('refuses an extra argument', async () => {
      const { services, touched } = fakeServices();
      await expect(
        createIpcHandlers(services, policy)[name](event(), ...VALID_ARGS[name], 'extra'),
      ).rejects.toBeInstanceOf(IpcRefusedError);
      expect(touched()).toBe(false);
    });
  });

  const BAD_PAYLOADS: [IpcName, unknown[]][] = [
    ['storeDeviceCredential', []],
    ['storeDeviceCredential', [null]],
    ['storeDeviceCredential', ['a string']],
    ['storeDeviceCredential', [{ ...CREDENTIAL, credential: 'short' }]],
    ['storeDeviceCredential', [{ ...CREDENTIAL, terminalId: '../../etc' }]],
    ['storeDeviceCredential', [{ ...CREDENTIAL, role: 'owner' }]],
    ['storeDeviceCredential', [JSON.parse(`{"__proto__":{"polluted":true},${JSON.stringify(CREDENTIAL).slice(1)}`)]],
    ['setSyncServerUrl', ['http://evil.com']],
    ['setSyncServerUrl', ['javascript:alert(1)']],
    ['setSyncServerUrl', ["https://sync.example.com; script-src 'unsafe-inline'"]],
    ['setSyncServerUrl', ['https://*.example.com']],
    ['setSyncServerUrl', [42]],
    ['setSyncServerUrl', []],
    ['setPrintSettings', [{ silent: 'yes', printerName: null }]],
    ['setPrintSettings', [{ silent: true }]],
    ['setPrintSettings', [{ silent: true, printerName: 'x'.repeat(300) }]],
    ['printReceipt', [{ ...RECEIPT, locale: 'de' }]],
    ['printReceipt', [{ ...RECEIPT, total: -1 }]],
    ['printReceipt', [{ ...RECEIPT, total: 1.5 }]],
    ['printReceipt', [{ ...RECEIPT, currency: 'usd' }]],
    ['printReceipt', [{ ...RECEIPT, currency: 'ZZZ' }]],
    ['printReceipt', [{ ...RECEIPT, timeZone: 'Mars/Olympus' }]],
    ['printReceipt', [{ ...RECEIPT, occurredAt: 'yesterday' }]],
    ['printReceipt', [{ ...RECEIPT, items: Array.from({ length: 201 }, () => RECEIPT.items[0]) }]],
    ['printReceipt', [{ ...RECEIPT, customerName: 'x'.repeat(101) }]],
    ['printReceipt', [{ ...RECEIPT, script: '<script>' }]],
    ['printReceipt', [{ ...RECEIPT, items: [{ name: 'x', quantity: 1, unitPrice: 1, html: '<b>' }] }]],
  ];

  it.each(BAD_PAYLOADS)('%s refuses bad payload #%# and runs nothing', async (name, args) => {
    const { services, touched } = fakeServices();
    const handlers = createIpcHandlers(services, policy);
    await expect(handlers[name](event(), ...args)).rejects.toThrow(/invalid payload/);
    expect(touched()).toBe(false);
  });

  it('checks the sender before the payload (a foreign frame learns nothing about the schema)', async () => {
    const { services } = fakeServices();
    await expect(
      createIpcHandlers(services, policy).storeDeviceCredential(event({ id: 99 }), 'garbage'),
    ).rejects.toThrow(/untrusted sender/);
  });

  it('forwards a validated payload, not the original object', async () => {
    const { services } = fakeServices();
    await createIpcHandlers(services, policy).storeDeviceCredential(event(), { ...CREDENTIAL });
    expect(services.keychain.store).toHaveBeenCalledWith(CREDENTIAL);
  });

  it('normalises the sync server URL, and forgets the credential when the server changes', async () => {
    const { services } = fakeServices();
    const handlers = createIpcHandlers(services, policy);
    expect(await handlers.setSyncServerUrl(event(), 'https://Sync.Example.com/patron/')).toEqual({
      settings: { syncServerUrl: 'https://sync.example.com/patron', printing: DEFAULT_SETTINGS.printing },
      reloadRequired: true,
    });
    expect(services.keychain.clear).toHaveBeenCalledTimes(1);
    // Same origin, another path: no reload needed, the credential stays.
    expect(
      (await handlers.setSyncServerUrl(event(), 'https://sync.example.com/v2')) as { reloadRequired: boolean },
    ).toMatchObject({
      reloadRequired: false,
    });
    expect(services.keychain.clear).toHaveBeenCalledTimes(1);
    expect((await handlers.setSyncServerUrl(event(), null)) as { reloadRequired: boolean }).toMatchObject({
      reloadRequired: true,
    });
    expect(services.keychain.clear).toHaveBeenCalledTimes(2);
  });

  it('hides unexpected failures from the renderer and logs them in main', async () => {
    const { services } = fakeServices();
    services.keychain.read.mockRejectedValueOnce(
      new Error("EACCES: permission denied, open '/home/cashier/.config/Patron/device-credential.bin'"),
    );
    const logged: unknown[] = [];
    const handlers = createIpcHandlers(services, policy, (_name, error) => logged.push(error));
    await expect(handlers.readDeviceCredential(event())).rejects.toThrow(/^readDeviceCredential failed$/);
    expect(logged).toHaveLength(1);
  });

  it('registers each handler on patron:<name>', () => {
    const { services } = fakeServices();
    const registered = new Map<string, unknown>();
    const handlers = createIpcHandlers(services, policy);
    registerIpcHandlers({ handle: (channel, listener) => void registered.set(channel, listener) }, handlers);
    expect([...registered.keys()].sort()).toEqual(IPC_NAMES.map((n) => channelOf(n)).sort());
    expect(registered.get('patron:getAppVersion')).toBe(handlers.getAppVersion);
  });
});
