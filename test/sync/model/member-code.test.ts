import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { newId } from '../../../src/sync/model/ids.ts';
import {
  MAX_SEQUENCE,
  MAX_TERMINAL_NUMBER,
  codeInId,
  isCompleteMemberCode,
  memberCode,
  memberCodeOf,
  memberCodeQuery,
  memberCustomerId,
} from '../../../src/sync/model/member-code.ts';
import { IdSchema } from '../../../src/sync/model/common.ts';

describe('member codes', () => {
  it('an id carries its terminal number and sequence back out, and stays a time-ordered lower-case UUID', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: MAX_TERMINAL_NUMBER }), fc.integer({ min: 1, max: MAX_SEQUENCE }), fc.integer({ min: 0, max: 2 ** 47 }), (terminal, sequence, now) => {
        const id = memberCustomerId(terminal, sequence, now);
        expect(IdSchema.safeParse(id).success).toBe(true);
        expect(codeInId(id)).toEqual({ terminal, sequence });
        expect(memberCodeOf(id)).toBe(memberCode(terminal, sequence));
        expect(isCompleteMemberCode(memberCode(terminal, sequence))).toBe(true);
      }),
    );
    expect(memberCustomerId(1, 1, 1000) < memberCustomerId(1, 1, 2000)).toBe(true);
  });

  it('different (terminal, sequence) pairs never share a code', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 999 }), fc.integer({ min: 1, max: 99_999 }), fc.integer({ min: 1, max: 999 }), fc.integer({ min: 1, max: 99_999 }), (t1, s1, t2, s2) => {
        fc.pre(t1 !== t2 || s1 !== s2);
        expect(memberCode(t1, s1)).not.toBe(memberCode(t2, s2));
      }),
    );
  });

  it('the check digit catches every single wrong digit and every swap of neighbours', () => {
    const code = memberCode(12, 4071);
    const [terminal, rest] = code.split('-') as [string, string];
    const digits = terminal + rest;
    for (let i = 0; i < digits.length; i++) {
      for (let d = 0; d <= 9; d++) {
        if (String(d) === digits[i]) continue;
        const wrong = digits.slice(0, i) + d + digits.slice(i + 1);
        expect(isCompleteMemberCode(`${wrong.slice(0, terminal.length)}-${wrong.slice(terminal.length)}`)).toBe(false);
      }
      if (i + 1 < digits.length && digits[i] !== digits[i + 1]) {
        const swapped = digits.slice(0, i) + digits[i + 1] + digits[i] + digits.slice(i + 2);
        expect(isCompleteMemberCode(`${swapped.slice(0, terminal.length)}-${swapped.slice(terminal.length)}`)).toBe(false);
      }
    }
  });

  it('a customer without a code in its id gets a derived one: deterministic, terminal 0, never an assigned code', () => {
    const id = newId();
    expect(codeInId(id)).toBeNull();
    expect(memberCodeOf(id)).toBe(memberCodeOf(id));
    expect(memberCodeOf(id)).toMatch(/^0-\d{13}$/);
    expect(isCompleteMemberCode(memberCodeOf(id))).toBe(true);
  });

  it('reads what is typed or scanned: Persian digits, other dashes, spaces', () => {
    expect(memberCodeQuery('۷-۰۴۲۵۳')).toBe('7-04253');
    expect(memberCodeQuery(' 7 – 0425 ')).toBe('7-0425');
    expect(memberCodeQuery('0912 345')).toBeNull();
    expect(memberCodeQuery('Ali-Reza')).toBeNull();
  });
});
