import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { IdIndex, uuidKey } from '../../../src/renderer/features/analytics/compute/id-index.ts';

// The id index reads UUIDs digit by digit into four words; it must take exactly the canonical lower-case
// layout (anything else goes through its Map), give distinct ids distinct keys, and answer the batch path
// (prefetch + findFrom) exactly as `get`.

const CANONICAL = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const hex = (n: number) => fc.string({ unit: fc.constantFrom(...'0123456789abcdef'), minLength: n, maxLength: n });
const uuidArb = fc.tuple(hex(8), hex(4), hex(4), hex(4), hex(12)).map((parts) => parts.join('-'));
/** UUIDs with one character replaced: upper case, a non-hex letter, a digit in a dash's place, non-ASCII. */
const nearUuidArb = fc
  .tuple(uuidArb, fc.nat(35), fc.constantFrom('A', 'F', 'g', 'z', '-', '0', ' ', 'é', 'ﬀ', '\u0130'))
  .map(([id, at, c]) => id.slice(0, at) + c + id.slice(at + 1));
const idArb = fc.oneof(uuidArb, nearUuidArb, fc.string({ maxLength: 40 }));

describe('uuidKey', () => {
  it('reads exactly the canonical layout, into the words its hex digits spell', () => {
    fc.assert(
      fc.property(idArb, (id) => {
        const keys = new Int32Array(8).fill(7);
        const read = uuidKey(id, keys, 1);
        expect(read).toBe(CANONICAL.test(id));
        if (!read) expect([...keys]).toEqual(Array(8).fill(7));
        else {
          const digits = id.replaceAll('-', '');
          expect([...keys.subarray(4)]).toEqual([0, 8, 16, 24].map((at) => Number.parseInt(digits.slice(at, at + 8), 16) | 0));
        }
      }),
      { numRuns: 5000 },
    );
  });
});

describe('IdIndex', () => {
  it('maps every id to its integer, through growth, by `get` and by the batch path alike', () => {
    fc.assert(
      fc.property(fc.uniqueArray(idArb, { minLength: 700, maxLength: 3000, size: 'max' }), fc.array(idArb, { maxLength: 50 }), (ids, probes) => {
        const index = new IdIndex();
        ids.forEach((id, i) => index.set(id, i));
        expect(index.size).toBe(ids.length);
        const position = new Map(ids.map((id, i) => [id, i]));
        const asked = [...ids, ...probes];
        const keys = new Int32Array(asked.length * 4);
        const keyed = asked.map((id, j) => uuidKey(id, keys, j));
        const homes = new Int32Array(asked.length);
        index.prefetch(keys, asked.length, homes);
        asked.forEach((id, j) => {
          const expected = position.get(id) ?? -1;
          expect(index.get(id)).toBe(expected);
          if (keyed[j]) expect(index.findFrom(keys, j, homes[j]!)).toBe(expected);
        });
      }),
      { numRuns: 25 },
    );
  });
});
