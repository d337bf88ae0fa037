import type { Session, WebContents } from 'electron';
import { navigationDecision, permissionDecision, windowOpenDecision, type PermissionDetails } from './policy/navigation.ts';

// The process-wide security policy (Actual's small security.ts): every webContents that ever exists — the
// main window, the receipt printer, anything a bug creates — gets the navigation, window-open and webview
// rules at creation; every permission but the camera is refused at the session. Decisions come from policy/navigation.ts.

/** What the policy needs from outside. */
export interface SecurityOptions {
  /** shell.openExternal, called only with an allowlisted, re-serialised https URL. */
  openExternal(url: string): Promise<void>;
  /** Origin of the trusted dev server (unpackaged runs), else null. */
  devServerOrigin: string | null;
}

type Contents = Pick<WebContents, 'on' | 'setWindowOpenHandler'>;

/** Applies the navigation, window-open and webview rules to one webContents. */
export function hardenWebContents(contents: Contents, options: SecurityOptions): void {
  const open = (url: string | null): void => {
    if (url !== null) void options.openExternal(url).catch(() => undefined);
  };
  const guardNavigation = (event: { url: string; preventDefault(): void }): void => {
    const decision = navigationDecision(event.url, options.devServerOrigin);
    if (decision.action === 'deny') {
      event.preventDefault();
      open(decision.openExternal);
    }
  };
  contents.on('will-navigate', guardNavigation);
  contents.on('will-frame-navigate', guardNavigation);
  contents.on('will-redirect', guardNavigation);
  contents.on('will-attach-webview', (event) => event.preventDefault());
  contents.setWindowOpenHandler(({ url }) => {
    open(windowOpenDecision(url).openExternal);
    return { action: 'deny' };
  });
}

/** Installs the policy on every webContents as it is created. */
export function applySecurityPolicy(
  app: { on(event: 'web-contents-created', listener: (event: unknown, contents: WebContents) => void): unknown },
  options: SecurityOptions,
): void {
  app.on('web-contents-created', (_event, contents) => hardenWebContents(contents, options));
}

/** Refuses every permission request and check (microphone, geolocation, notifications, HID, serial, …) but the camera's. */
export function restrictPermissions(
  session: Pick<Session, 'setPermissionRequestHandler' | 'setPermissionCheckHandler' | 'setDevicePermissionHandler'>,
): void {
  session.setPermissionRequestHandler((_contents, permission, callback, details) => callback(permissionDecision(permission, details as PermissionDetails)));
  session.setPermissionCheckHandler((_contents, permission, _origin, details) => permissionDecision(permission, details as PermissionDetails));
  session.setDevicePermissionHandler(() => false);
}
