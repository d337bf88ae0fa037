import { ROUTES } from '../model/routes.ts';
import { MAX_EARLIER_CREDENTIALS, PROTOCOL_HEADER, PROTOCOL_VERSION } from '../model/wire-protocol.ts';
import { SyncError } from './errors.ts';

/** What a terminal keeps after enrolment. The credential rotates on every token exchange. */
export interface DeviceCredential {
  serverUrl: string;
  terminalId: string;
  merchantId: string;
  storeId: string;
  credential: string;
  /** Earlier credentials, newest first (at most MAX_EARLIER_CREDENTIALS): a restored server knows one of them. */
  earlier?: string[];
}

/**
 * Where the device credential lives: the OS keychain behind Electron IPC on the desktop, IndexedDB in the
 * web app, memory in tests. `save` must be durable before it resolves — the old credential stops working
 * once the new one is used.
 */
export interface CredentialStore {
  load(): Promise<DeviceCredential | null>;
  save(credential: DeviceCredential): Promise<void>;
  clear(): Promise<void>;
}

/** A credential store in memory (tests, and a fallback that forgets on reload). */
export function memoryCredentialStore(initial: DeviceCredential | null = null): CredentialStore {
  let value = initial;
  return {
    load: async () => value,
    save: async (next) => {
      value = next;
    },
    clear: async () => {
      value = null;
    },
  };
}

type Fetch = typeof fetch;

/** Longest wait for an enrolment or a token exchange. */
const AUTH_TIMEOUT_MS = 20_000;

async function errorCode(response: Response): Promise<string | undefined> {
  try {
    const body = (await response.json()) as { error?: { code?: unknown } };
    return typeof body.error?.code === 'string' ? body.error.code : undefined;
  } catch {
    return undefined;
  }
}

/** Enrols this device with a one-time code and stores its credential. */
export async function enrol(options: { serverUrl: string; code: string; deviceName: string; store: CredentialStore; fetch?: Fetch }): Promise<DeviceCredential> {
  const doFetch = options.fetch ?? fetch;
  let response: Response;
  try {
    response = await doFetch(`${options.serverUrl}${ROUTES.enrol.path}`, {
      method: ROUTES.enrol.method,
      headers: { 'content-type': 'application/json', [PROTOCOL_HEADER]: String(PROTOCOL_VERSION) },
      body: JSON.stringify({ code: options.code.trim().toUpperCase(), deviceName: options.deviceName }),
      signal: AbortSignal.timeout(AUTH_TIMEOUT_MS),
    });
  } catch {
    throw new SyncError('offline', 'NETWORK');
  }
  if (response.status === 426) throw new SyncError('update-needed', 'PROTOCOL_OUTDATED', 426);
  if (!response.ok) {
    const code = await errorCode(response);
    throw new SyncError('server', code === 'VALIDATION_FAILED' || code === 'RATE_LIMIT_EXCEEDED' ? code : 'ENROLMENT_CODE_INVALID', response.status);
  }
  const enrolled = ROUTES.enrol.response.parse(await response.json());
  const credential: DeviceCredential = { serverUrl: options.serverUrl, ...enrolled };
  await options.store.save(credential);
  return credential;
}

/** Short-lived access tokens minted from the device credential, refreshed ahead of expiry, one at a time. */
export interface TokenSource {
  get(): Promise<string>;
  /** Forgets the current token (after a 401) so the next `get` exchanges the credential again. */
  invalidate(): void;
}

/** A token source over a credential store; rotates and persists the credential on every exchange. */
export function createTokenSource(options: { store: CredentialStore; fetch?: Fetch; now?: () => number; refreshMarginMs?: number }): TokenSource {
  const doFetch = options.fetch ?? fetch;
  const now = options.now ?? Date.now;
  const margin = options.refreshMarginMs ?? 30_000;
  let token: { value: string; expiresAt: number } | null = null;
  let inflight: Promise<string> | null = null;

  async function post(current: DeviceCredential, withEarlier: boolean): Promise<Response> {
    const earlier = withEarlier ? { earlier: current.earlier ?? [] } : {};
    try {
      return await doFetch(`${current.serverUrl}${ROUTES.token.path}`, {
        method: ROUTES.token.method,
        headers: { 'content-type': 'application/json', [PROTOCOL_HEADER]: String(PROTOCOL_VERSION) },
        body: JSON.stringify({ terminalId: current.terminalId, credential: current.credential, ...earlier }),
        // One hung exchange would hold every later request behind the shared in-flight promise.
        signal: AbortSignal.timeout(AUTH_TIMEOUT_MS),
      });
    } catch {
      throw new SyncError('offline', 'NETWORK');
    }
  }

  async function exchange(): Promise<string> {
    const current = await options.store.load();
    if (!current) throw new SyncError('not-enrolled', 'NOT_ENROLLED');
    let response = await post(current, false);
    let code = response.status === 401 ? await errorCode(response) : undefined;
    // Unknown (not revoked): the server may have been restored from a backup; it knows an earlier one.
    if (code === 'UNAUTHORIZED' && (current.earlier?.length ?? 0) > 0) {
      response = await post(current, true);
      code = response.status === 401 ? await errorCode(response) : undefined;
    }
    if (response.status === 426) throw new SyncError('update-needed', 'PROTOCOL_OUTDATED', 426);
    // A refused credential cannot heal by retrying: the terminal must be enrolled again.
    if (response.status === 401) throw new SyncError('revoked', code === 'TERMINAL_REVOKED' ? 'TERMINAL_REVOKED' : 'UNAUTHORIZED', 401);
    if (response.status >= 500 || response.status === 429) throw new SyncError('server', response.status === 429 ? 'RATE_LIMIT_EXCEEDED' : 'INTERNAL', response.status);
    if (!response.ok) throw new SyncError('server', 'INTERNAL', response.status);
    const body = ROUTES.token.response.parse(await response.json());
    // Persist the rotated credential before using the token: if this write is lost, the server still
    // accepts the previous credential until the new one has been presented.
    const earlier = [current.credential, ...(current.earlier ?? [])].slice(0, MAX_EARLIER_CREDENTIALS);
    await options.store.save({ ...current, credential: body.credential, earlier });
    token = { value: body.accessToken, expiresAt: now() + body.expiresIn * 1000 };
    return body.accessToken;
  }

  return {
    async get() {
      if (token && token.expiresAt - margin > now()) return token.value;
      inflight ??= exchange().finally(() => {
        inflight = null;
      });
      return inflight;
    },
    invalidate() {
      token = null;
    },
  };
}
