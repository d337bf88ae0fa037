import { contextBridge, ipcRenderer } from 'electron';
import type { IpcChannel, IpcContract, IpcName, PatronDesktopApi, PatronGlobalName } from '../ipc/contract.ts';

// The preload (sandboxed: it may import only 'electron', so it imports nothing else at runtime). It exposes
// one named function per capability under window.patron — never ipcRenderer, never a generic invoke — and
// forwards only the declared arguments, so the renderer cannot reach another channel or pass extra values.

function invoke<N extends IpcName>(name: N, ...args: IpcContract[N]['args']): Promise<IpcContract[N]['result']> {
  const channel: IpcChannel<N> = `patron:${name}`;
  return ipcRenderer.invoke(channel, ...args) as Promise<IpcContract[N]['result']>;
}

const api = {
  storeDeviceCredential: (credential) => invoke('storeDeviceCredential', credential),
  readDeviceCredential: () => invoke('readDeviceCredential'),
  clearDeviceCredential: () => invoke('clearDeviceCredential'),
  getSettings: () => invoke('getSettings'),
  setSyncServerUrl: (url) => invoke('setSyncServerUrl', url),
  setPrintSettings: (printing) => invoke('setPrintSettings', printing),
  listPrinters: () => invoke('listPrinters'),
  printReceipt: (receipt) => invoke('printReceipt', receipt),
  getAppVersion: () => invoke('getAppVersion'),
} satisfies PatronDesktopApi;

const globalName: PatronGlobalName = 'patron';
contextBridge.exposeInMainWorld(globalName, Object.freeze(api));
