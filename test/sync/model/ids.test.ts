import { createHash } from 'node:crypto';
import { validate, version } from 'uuid';
import { describe, expect, it } from 'vitest';
import { IdSchema } from '../../../src/sync/model/common.ts';
import { PATRON_ID_NAMESPACE, earnEntryId, newId, reversalEntryId } from '../../../src/sync/model/ids.ts';

const VISIT_A = '0190a4a8-0000-7000-8000-000000000201';
const VISIT_B = '0190a4a8-0000-7000-8000-000000000202';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The millisecond timestamp in a UUIDv7's first 48 bits. */
const v7Millis = (id: string) => parseInt(id.replaceAll('-', '').slice(0, 12), 16);

/** RFC 9562 UUIDv5, computed independently of the uuid package: SHA-1 of namespace bytes + name. */
function rfcV5(name: string, namespace: string): string {
  const hash = createHash('sha1')
    .update(Buffer.from(namespace.replaceAll('-', ''), 'hex'))
    .update(name, 'utf8')
    .digest()
    .subarray(0, 16);
  hash[6] = (hash[6]! & 0x0f) | 0x50;
  hash[8] = (hash[8]! & 0x3f) | 0x80;
  const hex = hash.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

describe('newId', () => {
  it('is a lower-case UUIDv7 that IdSchema accepts', () => {
    const id = newId();
    expect(IdSchema.parse(id)).toBe(id);
    expect(validate(id)).toBe(true);
    expect(version(id)).toBe(7);
  });

  it('carries the creation time in its first 48 bits', () => {
    const before = Date.now();
    const id = newId();
    const after = Date.now();
    expect(v7Millis(id)).toBeGreaterThanOrEqual(before);
    expect(v7Millis(id)).toBeLessThanOrEqual(after);
  });

  it('sorts later ids after earlier ones (≥ 1 ms apart)', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      ids.push(newId());
      await sleep(2);
    }
    expect([...ids].sort()).toEqual(ids);
  });

  it('is unique and strictly increasing over 10k ids in one process, even within a millisecond', () => {
    // uuid's v7 keeps a per-process sequence counter, so ids made in the same millisecond still increase.
    const ids = Array.from({ length: 10_000 }, () => newId());
    expect(new Set(ids).size).toBe(ids.length);
    for (let i = 1; i < ids.length; i++)
      if (!(ids[i - 1]! < ids[i]!)) expect.fail(`ids ${i - 1} and ${i} out of order`);
    expect(ids.every((id) => IdSchema.safeParse(id).success)).toBe(true);
  });
});

describe('earnEntryId / reversalEntryId', () => {
  it('earnEntryId is deterministic, differs per visit, and is a UUIDv5 IdSchema accepts', () => {
    const id = earnEntryId(VISIT_A);
    expect(earnEntryId(VISIT_A)).toBe(id);
    expect(earnEntryId(VISIT_B)).not.toBe(id);
    expect(IdSchema.parse(id)).toBe(id);
    expect(version(id)).toBe(5);
  });

  it('is RFC UUIDv5 of `visitId:earn` in the Patron namespace, so any implementation can reproduce it', () => {
    expect(earnEntryId(VISIT_A)).toBe(rfcV5(`${VISIT_A}:earn`, PATRON_ID_NAMESPACE));
    expect(reversalEntryId(VISIT_A)).toBe(rfcV5(`${VISIT_A}:reversal`, PATRON_ID_NAMESPACE));
  });

  it('never changes: ids already written on terminals must be reproduced forever', () => {
    // If this fails, the namespace or the name format changed and retried earnings would credit twice.
    expect(PATRON_ID_NAMESPACE).toBe('6f1c3b5e-2d47-4a8e-9a61-0c8f4e7b2d19');
    expect(earnEntryId(VISIT_A)).toBe('9b832f51-9173-5b15-8598-9ede3d4387c2');
    expect(reversalEntryId(earnEntryId(VISIT_A))).toBe('f26d2104-c4ec-5ea3-8db7-a949e2e162c4');
  });

  it('a reversal id is deterministic, a UUIDv5, and collides with no earning id', () => {
    const earn = earnEntryId(VISIT_A);
    const reversal = reversalEntryId(earn);
    expect(reversalEntryId(earn)).toBe(reversal);
    expect(version(reversal)).toBe(5);
    expect(IdSchema.parse(reversal)).toBe(reversal);
    expect(
      new Set([earn, reversal, reversalEntryId(VISIT_A), earnEntryId(VISIT_B), reversalEntryId(earnEntryId(VISIT_B))])
        .size,
    ).toBe(5);
  });
});
