import type { IpcMain } from 'electron';
import type { z } from 'zod';
import { isTrustedSender, type IpcEventLike, type SenderPolicy } from '../policy/sender.ts';
import { checkSyncServerUrl } from '../policy/sync-url.ts';
import { KeychainUnavailableError, type Keychain } from '../services/keychain.ts';
import type { SettingsStore } from '../services/settings.ts';
import type { IpcChannel, IpcContract, IpcName, PrinterInfo, PrintResult, VisitReceipt } from './contract.ts';
import { IPC_ARGS, IPC_NAMES } from './schemas.ts';

// The main-process side of the bridge (Actual's typed handler map). Every handler first checks that the
// message comes from our main window's top frame showing the app, then validates its arguments with zod;
// only then does it touch a service. A refusal rejects the renderer's promise and runs nothing.

/** What the handlers act on; all injected so tests use fakes and the electron runtime stays out. */
export interface IpcServices {
  keychain: Keychain;
  settings: SettingsStore;
  printReceipt(receipt: VisitReceipt): Promise<PrintResult>;
  listPrinters(): Promise<PrinterInfo[]>;
  appVersion(): string;
}

/** A refused call: untrusted sender or invalid payload. The message names the channel and why, no values. */
export class IpcRefusedError extends Error {
  override readonly name = 'IpcRefusedError';
}

/** A handler as ipcMain.handle receives it. */
export type GuardedHandler = (event: IpcEventLike, ...args: unknown[]) => Promise<unknown>;

type Implementation<N extends IpcName> = (...args: IpcContract[N]['args']) => Promise<IpcContract[N]['result']>;

/** The wire channel of a capability. */
export function channelOf<N extends IpcName>(name: N): IpcChannel<N> {
  return `patron:${name}`;
}

function implementations(services: IpcServices): { [N in IpcName]: Implementation<N> } {
  const { keychain, settings } = services;
  return {
    storeDeviceCredential: (credential) => keychain.store(credential),
    readDeviceCredential: () => keychain.read(),
    clearDeviceCredential: () => keychain.clear(),
    getSettings: async () => settings.desktopSettings(),
    async setSyncServerUrl(raw) {
      const before = settings.get().syncServerUrl;
      const next = raw === null ? null : checkSyncServerUrl(raw);
      if (next !== null && !next.ok) throw new IpcRefusedError(`setSyncServerUrl: ${next.reason}`);
      const originOf = (url: string | null): string | null => (url === null ? null : new URL(url).origin);
      const origin = next === null ? null : next.origin;
      const reloadRequired = originOf(before) !== origin;
      // A credential belongs to the server that issued it, so it is forgotten when the server changes. That
      // also means a script that repoints connect-src at its own host finds no secret after the reload (one
      // that stashed the secret in web storage beforehand and survives the reload still wins: this raises
      // the bar, it is not a wall).
      if (reloadRequired) await keychain.clear();
      await settings.update({ syncServerUrl: next === null ? null : next.url });
      return { settings: settings.desktopSettings(), reloadRequired };
    },
    async setPrintSettings(printing) {
      await settings.update({ printing });
      return settings.desktopSettings();
    },
    listPrinters: () => services.listPrinters(),
    printReceipt: (receipt) => services.printReceipt(receipt),
    getAppVersion: async () => services.appVersion(),
  };
}

function guard<N extends IpcName>(
  name: N,
  run: Implementation<N>,
  policy: SenderPolicy,
  onError: (name: IpcName, error: unknown) => void,
): GuardedHandler {
  const schema = IPC_ARGS[name] as unknown as z.ZodType<IpcContract[N]['args']>;
  return async (event, ...args) => {
    if (!isTrustedSender(event, policy)) throw new IpcRefusedError(`${name}: untrusted sender`);
    const parsed = schema.safeParse(args);
    if (!parsed.success) {
      const where = parsed.error.issues.map((issue) => issue.path.join('.') || '(arguments)').join(', ');
      throw new IpcRefusedError(`${name}: invalid payload at ${where}`);
    }
    try {
      return await run(...parsed.data);
    } catch (error) {
      if (error instanceof IpcRefusedError || error instanceof KeychainUnavailableError) throw error;
      // Unexpected failures (file-system errors carry paths) are logged here, not sent to the renderer.
      onError(name, error);
      // Only `message` crosses to the renderer (Electron serialises nothing else), so the cause stays in main.
      throw new Error(`${name} failed`, { cause: error });
    }
  };
}

/** Builds the guarded handler of every capability. */
export function createIpcHandlers(
  services: IpcServices,
  policy: SenderPolicy,
  onError: (name: IpcName, error: unknown) => void = (name, error) => console.error(`[patron] ipc ${name}`, error),
): { readonly [N in IpcName]: GuardedHandler } {
  const impl = implementations(services);
  const g = <N extends IpcName>(name: N): GuardedHandler => guard(name, impl[name], policy, onError);
  return {
    storeDeviceCredential: g('storeDeviceCredential'),
    readDeviceCredential: g('readDeviceCredential'),
    clearDeviceCredential: g('clearDeviceCredential'),
    getSettings: g('getSettings'),
    setSyncServerUrl: g('setSyncServerUrl'),
    setPrintSettings: g('setPrintSettings'),
    listPrinters: g('listPrinters'),
    printReceipt: g('printReceipt'),
    getAppVersion: g('getAppVersion'),
  };
}

/** The part of ipcMain used. */
export type IpcMainLike = Pick<IpcMain, 'handle'>;

/** Registers every handler on `patron:<name>`. */
export function registerIpcHandlers(ipcMain: IpcMainLike, handlers: { readonly [N in IpcName]: GuardedHandler }): void {
  for (const name of IPC_NAMES) ipcMain.handle(channelOf(name), handlers[name]);
}
