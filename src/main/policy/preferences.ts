import type { WebPreferences } from 'electron';

// The only source of webPreferences in the app: every BrowserWindow is built through window.ts, which takes
// its preferences from here (a static test checks both). Electron's security checklist, items 2–4, 8, 12.

/** What a caller may choose; everything security-relevant is fixed. */
export interface SecurePreferenceOptions {
  /** Absolute path of the preload script; omitted for windows that need no bridge (printing). */
  preload?: string;
  /** Run JavaScript at all: off for the receipt window, whose HTML is static. */
  javascript?: boolean;
  /** Allow the developer tools (unpackaged builds only). */
  devTools?: boolean;
}

/** Whether a path is absolute on POSIX (`/…`) or Windows (`C:\…`, `\\server\…`). */
function isAbsolutePath(p: string): boolean {
  return p.startsWith('/') || /^[A-Za-z]:[\\/]/.test(p) || p.startsWith('\\\\');
}

/**
 * Secure webPreferences: isolated, sandboxed, no Node anywhere (frames, workers), no <webview>, web
 * security on, no insecure content, no experimental Blink features. Returned frozen so nobody patches it.
 */
export function securePreferences(options: SecurePreferenceOptions = {}): Readonly<WebPreferences> {
  if (options.preload !== undefined && (!isAbsolutePath(options.preload) || options.preload.includes('\0'))) {
    throw new Error('securePreferences: the preload path must be absolute');
  }
  const prefs: WebPreferences = {
    contextIsolation: true,
    sandbox: true,
    nodeIntegration: false,
    nodeIntegrationInSubFrames: false,
    nodeIntegrationInWorker: false,
    webviewTag: false,
    webSecurity: true,
    allowRunningInsecureContent: false,
    experimentalFeatures: false,
    plugins: false,
    enableWebSQL: false,
    navigateOnDragDrop: false,
    safeDialogs: true,
    spellcheck: false,
    javascript: options.javascript ?? true,
    devTools: options.devTools ?? false,
    ...(options.preload === undefined ? {} : { preload: options.preload }),
  };
  return Object.freeze(prefs);
}
