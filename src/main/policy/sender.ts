import { isAppUrl } from './app-origin.ts';

// Who may call an IPC handler (Electron security checklist 17). Structural types keep this module free of
// the electron runtime so it runs under Vitest; Electron's IpcMainInvokeEvent satisfies them.

/** The part of a WebFrameMain the check reads. */
export interface SenderFrameLike {
  readonly url: string;
  /** null for a top-level frame. */
  readonly parent: unknown;
}

/** The part of an IpcMainInvokeEvent the check reads. */
export interface IpcEventLike {
  readonly sender: { readonly id: number };
  readonly senderFrame: SenderFrameLike | null;
}

/** What the check compares against. */
export interface SenderPolicy {
  /** webContents id of the main window, or null while there is none. */
  trustedWebContentsId(): number | null;
  /** Origin of the trusted dev server (unpackaged runs only), or null. */
  devServerOrigin: string | null;
}

/**
 * Whether an IPC message comes from our main window's top-level frame showing the app: the right
 * webContents, a live frame (senderFrame is null after it navigated or died), no parent (not an iframe),
 * and an app URL (app://patron/ or the trusted dev server), not a page it was somehow navigated to.
 */
export function isTrustedSender(event: IpcEventLike, policy: SenderPolicy): boolean {
  const trustedId = policy.trustedWebContentsId();
  if (trustedId === null || event.sender.id !== trustedId) return false;
  const frame = event.senderFrame;
  if (frame === null || frame === undefined) return false;
  if (frame.parent !== null) return false;
  return isAppUrl(frame.url, policy.devServerOrigin);
}
