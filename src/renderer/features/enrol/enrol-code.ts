import { PROTOCOL_HEADER, PROTOCOL_VERSION } from '../../../sync/model/wire-protocol.ts';
import { ROUTES } from '../../../sync/model/routes.ts';
import { SyncError } from '../../../sync/client/errors.ts';
import type { ErrorCode } from '../../../sync/model/errors.ts';
import { toAsciiDigits } from '../../../sync/model/text.ts';

export { isLoopbackHost } from '../../../sync/client/devices.ts';

/** Shape of a one-time enrolment code (wire-protocol.ts EnrolRequestSchema). */
export const ENROL_CODE = /^[A-Z0-9]{4}-[A-Z0-9]{4}$/;

/**
 * Letters a Persian keyboard writes on the keys of the Latin letters (the standard Windows/ISIRI layout),
 * so a cashier who forgot to switch layouts still types the right code: ض on Q gives Q.
 */
const PERSIAN_KEYS: Readonly<Record<string, string>> = {
  ض: 'Q',
  ص: 'W',
  ث: 'E',
  ق: 'R',
  ف: 'T',
  غ: 'Y',
  ع: 'U',
  ه: 'I',
  خ: 'O',
  ح: 'P',
  ش: 'A',
  س: 'S',
  ی: 'D',
  ي: 'D',
  ب: 'F',
  ل: 'G',
  ا: 'H',
  ت: 'J',
  ن: 'K',
  م: 'L',
  ظ: 'Z',
  ط: 'X',
  ز: 'C',
  ر: 'V',
  ذ: 'B',
  د: 'N',
  پ: 'M',
};

/**
 * What the code field shows while the cashier types: Persian/Arabic digits as ASCII, Persian-layout letters
 * as their keys' Latin letters, upper case, separators dropped and the dash put back after four characters.
 */
export function normalizeEnrolCode(input: string): string {
  const chars = [...toAsciiDigits(input)].map((c) => PERSIAN_KEYS[c] ?? c).join('');
  const raw = chars
    .toUpperCase()
    .replace(/[^A-Z0-9]/g, '')
    .slice(0, 8);
  return raw.length > 4 ? `${raw.slice(0, 4)}-${raw.slice(4)}` : raw;
}

/**
 * The code an enrol link carries — the Devices page's QR opens `<server>/#/enrol?code=…`; `?code=…` in the
 * query works too — normalised as if typed; '' when the address has none.
 */
export function enrolCodeFromUrl(address: { search: string; hash: string }): string {
  const hashQuery = address.hash.includes('?') ? address.hash.slice(address.hash.indexOf('?')) : '';
  const code = new URLSearchParams(hashQuery).get('code') ?? new URLSearchParams(address.search).get('code');
  return code ? normalizeEnrolCode(code) : '';
}

async function readCode(response: Response): Promise<string | undefined> {
  try {
    const body = (await response.json()) as { error?: { code?: unknown } };
    return typeof body.error?.code === 'string' ? body.error.code : undefined;
  } catch {
    return undefined;
  }
}

const headers = { [PROTOCOL_HEADER]: String(PROTOCOL_VERSION) };

/** GET /v1/demo: whether the server offers one-click demo enrolment to this browser. */
export async function fetchDemoAvailable(serverUrl: string, doFetch: typeof fetch = fetch): Promise<boolean> {
  let response: Response;
  try {
    response = await doFetch(`${serverUrl}${ROUTES.demo.path}`, { headers });
  } catch {
    throw new SyncError('offline', 'NETWORK');
  }
  if (!response.ok) return false;
  const body = (await response.json().catch(() => null)) as { available?: unknown } | null;
  return body?.available === true;
}

/** POST /v1/demo/enrolment-code: a fresh one-time code for the demo store (loopback only). */
export async function requestDemoCode(serverUrl: string, doFetch: typeof fetch = fetch): Promise<string> {
  let response: Response;
  try {
    response = await doFetch(`${serverUrl}${ROUTES.demoEnrolmentCode.path}`, { method: ROUTES.demoEnrolmentCode.method, headers });
  } catch {
    throw new SyncError('offline', 'NETWORK');
  }
  if (response.status === 426) throw new SyncError('update-needed', 'PROTOCOL_OUTDATED', 426);
  if (!response.ok)
    throw new SyncError('server', ((await readCode(response)) ?? 'INTERNAL') as ErrorCode, response.status);
  const body = (await response.json()) as { code?: unknown };
  if (typeof body.code !== 'string' || !ENROL_CODE.test(body.code))
    throw new SyncError('server', 'INTERNAL', response.status);
  return body.code;
}
