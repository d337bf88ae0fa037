import { BrowserWindow, type BrowserWindowConstructorOptions } from 'electron';
import { MIN_SIZE, type WindowState } from './policy/bounds.ts';
import { securePreferences, type SecurePreferenceOptions } from './policy/preferences.ts';

// The window factory: the ONLY place in src/main that constructs a BrowserWindow (a static test checks),
// and its webPreferences always come from securePreferences(). Callers cannot pass webPreferences at all.

/** Window options without webPreferences. */
export type SecureWindowOptions = Omit<BrowserWindowConstructorOptions, 'webPreferences'>;

/** Creates a window with the secure preferences (set last, so nothing spread in can override them). */
export function createSecureWindow(options: SecureWindowOptions, preferences: SecurePreferenceOptions): BrowserWindow {
  return new BrowserWindow({ ...options, webPreferences: securePreferences(preferences) });
}

/** The counter window: restored bounds, the preload bridge, shown once painted. */
export function createMainWindow(state: WindowState, preload: string, devTools: boolean): BrowserWindow {
  const win = createSecureWindow(
    {
      ...state.bounds,
      minWidth: Math.min(MIN_SIZE.width, state.bounds.width),
      minHeight: Math.min(MIN_SIZE.height, state.bounds.height),
      show: false,
      title: 'Patron',
      autoHideMenuBar: true,
      backgroundColor: '#ffffff',
    },
    { preload, devTools },
  );
  if (state.maximized) win.maximize();
  win.once('ready-to-show', () => win.show());
  return win;
}

/** A hidden window for printing receipts: no preload, no JavaScript. */
export function createPrintWindow(): BrowserWindow {
  return createSecureWindow({ show: false, width: 420, height: 900 }, { javascript: false });
}

/** The state to save when the window closes (normal bounds even while maximised). */
export function windowStateOf(win: Pick<BrowserWindow, 'getNormalBounds' | 'isMaximized'>): WindowState {
  return { bounds: win.getNormalBounds(), maximized: win.isMaximized() };
}
