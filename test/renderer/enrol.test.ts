import { describe, expect, it } from 'vitest';
import { SyncError } from '../../src/sync/client/errors.ts';
import { enrolLink } from '../../src/sync/client/devices.ts';
import { PROTOCOL_HEADER, PROTOCOL_VERSION } from '../../src/sync/model/wire-protocol.ts';
import {
  ENROL_CODE,
  fetchDemoAvailable,
  isLoopbackHost,
  normalizeEnrolCode,
  enrolCodeFromUrl,
  requestDemoCode,
} from '../../src/renderer/features/enrol/enrol-code.ts';

describe('enrolment code field', () => {
  it('upper-cases, converts Persian digits and puts the dash back', () => {
    expect(normalizeEnrolCode('abcd1234')).toBe('ABCD-1234');
    expect(normalizeEnrolCode('ab cd-۱۲۳۴')).toBe('ABCD-1234');
    expect(normalizeEnrolCode('٧x٩k')).toBe('7X9K');
    expect(normalizeEnrolCode('ABCD-12345678')).toBe('ABCD-1234');
    expect(ENROL_CODE.test(normalizeEnrolCode(' q w e r - 1 2 3 4 '))).toBe(true);
  });

  it('takes the code from an enrol link (the Devices page QR code): in the fragment or the query', () => {
    expect(enrolCodeFromUrl({ search: '', hash: '#/enrol?code=ABCD-1234' })).toBe('ABCD-1234');
    expect(enrolCodeFromUrl({ search: '?code=abcd1234', hash: '' })).toBe('ABCD-1234');
    expect(enrolCodeFromUrl({ search: '', hash: '#/counter' })).toBe('');
    expect(enrolCodeFromUrl({ search: '', hash: '' })).toBe('');
  });

  it('links a new tablet to an address it can reach: the network address when this device uses localhost', () => {
    expect(enrolLink('http://192.168.1.20:8787', 'ABCD-1234', [])).toEqual({ enrolUrl: 'http://192.168.1.20:8787/#/enrol?code=ABCD-1234', reachable: true });
    expect(enrolLink('http://127.0.0.1:8787/', 'ABCD-1234', ['http://192.168.1.20:8787'])).toEqual({ enrolUrl: 'http://192.168.1.20:8787/#/enrol?code=ABCD-1234', reachable: true });
    expect(enrolLink('http://localhost:8787', 'ABCD-1234', [])).toEqual({ enrolUrl: 'http://localhost:8787/#/enrol?code=ABCD-1234', reachable: false });
  });

  it('reads letters typed on a Persian keyboard layout as the Latin keys', () => {
    // ض ص ث ق are the Q W E R keys.
    expect(normalizeEnrolCode('ضصثق۱۲۳۴')).toBe('QWER-1234');
  });

  it('knows this machine from another', () => {
    for (const host of ['localhost', '127.0.0.1', '[::1]', '127.1.2.3']) expect(isLoopbackHost(host), host).toBe(true);
    for (const host of ['192.168.1.10', 'patron.example.com', 'localhost.evil.com'])
      expect(isLoopbackHost(host), host).toBe(false);
  });
});

describe('demo enrolment requests', () => {
  it('asks /v1/demo with the protocol header', async () => {
    let seen: RequestInit | undefined;
    const fake = (async (url: string, init?: RequestInit) => {
      expect(url).toBe('http://127.0.0.1:8787/v1/demo');
      seen = init;
      return new Response(JSON.stringify({ available: true }), { status: 200 });
    }) as typeof fetch;
    expect(await fetchDemoAvailable('http://127.0.0.1:8787', fake)).toBe(true);
    expect((seen?.headers as Record<string, string>)[PROTOCOL_HEADER]).toBe(String(PROTOCOL_VERSION));
    const no = (async () => new Response('{}', { status: 404 })) as typeof fetch;
    expect(await fetchDemoAvailable('http://x', no)).toBe(false);
  });

  it('turns refusals into SyncError codes the UI translates', async () => {
    const forbidden = (async () =>
      new Response(JSON.stringify({ error: { code: 'FORBIDDEN' } }), { status: 403 })) as typeof fetch;
    await expect(requestDemoCode('http://x', forbidden)).rejects.toMatchObject({ code: 'FORBIDDEN' });
    const down = (async () => {
      throw new TypeError('fetch failed');
    }) as typeof fetch;
    await expect(requestDemoCode('http://x', down)).rejects.toBeInstanceOf(SyncError);
    const ok = (async () =>
      new Response(JSON.stringify({ code: 'ABCD-1234', expiresAt: 'x' }), { status: 200 })) as typeof fetch;
    expect(await requestDemoCode('http://x', ok)).toBe('ABCD-1234');
  });
});
