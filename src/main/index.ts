import path from 'node:path';
import { app, ipcMain, protocol, safeStorage, screen, session, shell, type BrowserWindow } from 'electron';
import { createIpcHandlers, registerIpcHandlers } from './ipc/handlers.ts';
import { APP_ENTRY_URL, trustedDevServerUrl } from './policy/app-origin.ts';
import { restoreWindowState } from './policy/bounds.ts';
import { registerAppScheme, serveApp } from './app-protocol.ts';
import { applySecurityPolicy, restrictPermissions } from './security.ts';
import { createKeychain, credentialFileIn } from './services/keychain.ts';
import { printReceipt } from './services/printing.ts';
import { openSettingsStore } from './services/settings.ts';
import { createMainWindow, createPrintWindow, windowStateOf } from './window.ts';

// Lifecycle only: every decision lives in policy/, services/ and ipc/, which Vitest tests without Electron.

// Before `ready`: the app:// scheme's privileges, the sandbox for every renderer, the webContents policy.
registerAppScheme(protocol);
app.enableSandbox();
const devServerUrl = trustedDevServerUrl(process.env.ELECTRON_RENDERER_URL, app.isPackaged);
applySecurityPolicy(app, { openExternal: (url) => shell.openExternal(url), devServerOrigin: devServerUrl });

let mainWindow: BrowserWindow | null = null;
let trustedContentsId: number | null = null;
let saving: Promise<unknown> = Promise.resolve();

if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  app.on('second-instance', () => {
    if (mainWindow === null) return;
    if (mainWindow.isMinimized()) mainWindow.restore();
    mainWindow.focus();
  });
  // Let the window state reach the disk before the process goes.
  app.on('window-all-closed', () => void saving.finally(() => app.quit()));
  app.whenReady().then(start, fail).catch(fail);
}

function fail(error: unknown): void {
  console.error('[patron] start-up failed', error);
  app.exit(1);
}

async function start(): Promise<void> {
  const here = import.meta.dirname;
  const userData = app.getPath('userData');
  const settings = await openSettingsStore(userData);

  restrictPermissions(session.defaultSession);
  serveApp(session.defaultSession.protocol, {
    root: path.join(here, '../renderer'),
    syncServerUrl: () => settings.get().syncServerUrl,
  });

  const displays = screen.getAllDisplays().map((display) => display.workArea);
  const state = restoreWindowState(settings.get().window, displays, screen.getPrimaryDisplay().workArea);
  const win = createMainWindow(state, path.join(here, '../preload/index.cjs'), !app.isPackaged);
  mainWindow = win;
  trustedContentsId = win.webContents.id;
  win.on('close', () => {
    saving = settings.update({ window: windowStateOf(win) }).catch((error) => console.error('[patron]', error));
  });
  win.on('closed', () => {
    mainWindow = null;
    trustedContentsId = null;
  });

  const keychain = createKeychain(safeStorage, credentialFileIn(userData), process.platform);
  const handlers = createIpcHandlers(
    {
      keychain,
      settings,
      printReceipt: (receipt) =>
        printReceipt(receipt, { createPrintWindow, printSettings: () => settings.get().printing }),
      listPrinters: async () =>
        (await win.webContents.getPrintersAsync()).map(({ name, displayName }) => ({ name, displayName })),
      appVersion: () => app.getVersion(),
    },
    { trustedWebContentsId: () => trustedContentsId, devServerOrigin: devServerUrl },
  );
  registerIpcHandlers(ipcMain, handlers);

  await win.loadURL(
    devServerUrl !== null && process.env.ELECTRON_RENDERER_URL ? process.env.ELECTRON_RENDERER_URL : APP_ENTRY_URL,
  );
}
