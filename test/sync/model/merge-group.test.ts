import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Customer } from '../../../src/sync/model/customer.ts';
import { newCustomer, type WriteContext } from '../../../src/sync/model/document-builders.ts';
import { newId } from '../../../src/sync/model/ids.ts';
import { groupProfile } from '../../../src/sync/model/merge-group.ts';

// Carry-over when duplicates merge (issue 19.3): the survivor's card shows what its merged records hold.

const ctx: WriteContext = { merchantId: newId(), storeId: newId(), terminalId: newId(), staffId: newId(), now: '2026-01-10T10:00:00.000Z', offline: false };
const word = fc.constantFrom('vip', 'VIP', 'student', 'نزدیک', 'nuts', 'gluten', 'latte', 'tea', 'office');
const day = fc.constantFrom(null, '1990-04-01', '1985-12-31');

const aRecord = fc.record({
  email: fc.constantFrom(null, 'a@example.com', 'b@example.com'),
  birthday: day,
  tags: fc.uniqueArray(word, { maxLength: 4, selector: (w) => w.toLocaleLowerCase() }),
  allergies: fc.uniqueArray(word, { maxLength: 3, selector: (w) => w.toLocaleLowerCase() }),
  favorites: fc.uniqueArray(word, { maxLength: 3, selector: (w) => w.toLocaleLowerCase() }),
  notes: fc.constantFrom('', 'likes the window seat', 'پاسخ با پیامک'),
  minute: fc.integer({ min: 0, max: 59 }),
});

type RecordInput = { email: string | null; birthday: string | null; tags: string[]; allergies: string[]; favorites: string[]; notes: string; minute: number };

function customer(r: RecordInput, i: number): Customer {
  const at = `2025-01-01T10:${String(r.minute).padStart(2, '0')}:00.000Z`;
  return newCustomer({ phone: `0912${String(1_000_000 + i).padStart(7, '0')}`, name: `Record ${i}`, email: r.email, birthday: r.birthday, tags: r.tags, notes: r.notes, preferences: { allergies: r.allergies, favorites: r.favorites } }, { ...ctx, now: at }, 'IR');
}

describe('a merge group’s profile', () => {
  it('loses nothing a merged record holds, keeps the survivor’s first, and does not depend on order', () => {
    fc.assert(
      fc.property(aRecord, fc.array(aRecord, { minLength: 1, maxLength: 4 }), fc.integer(), (rootRecord, records, shuffle) => {
        const root = customer(rootRecord, 0);
        const merged = records.map((r, i) => ({ ...customer(r, i + 1), mergedInto: root.id }));
        const profile = groupProfile(root, merged);
        const rotated = merged.map((_, i) => merged[(i + Math.abs(shuffle)) % merged.length]!);
        expect(groupProfile(root, [...rotated].reverse())).toEqual(profile);
        const has = (list: string[], item: string) => list.some((x) => x.toLocaleLowerCase() === item.toLocaleLowerCase());
        for (const c of [root, ...merged]) {
          for (const tag of c.tags) expect(has(profile.tags, tag)).toBe(true);
          for (const a of c.preferences.allergies) expect(has(profile.allergies, a)).toBe(true);
          for (const f of c.preferences.favorites) expect(has(profile.favorites, f)).toBe(true);
          if (c !== root && c.notes !== '') expect(profile.carriedNotes.map((n) => n.customerId)).toContain(c.id);
        }
        expect(profile.tags.slice(0, root.tags.length)).toEqual(root.tags);
        if (root.email !== null) expect(profile.email).toBe(root.email);
        if ([root, ...merged].some((c) => c.email !== null)) expect(profile.email).not.toBeNull();
        if (root.birthday !== null) expect(profile.birthday).toBe(root.birthday);
      }),
    );
  });

  it('shows the merged record’s e-mail, allergies and notes that the survivor lacks', () => {
    const root = newCustomer({ phone: '09121110000', name: 'Ali Rezaei', tags: ['VIP'] }, ctx, 'IR');
    const loser = { ...newCustomer({ phone: '09121110001', name: 'Ali Rezayi', email: 'ali@example.com', notes: 'no sugar', tags: ['vip', 'office'], preferences: { allergies: ['nuts'] } }, ctx, 'IR'), mergedInto: root.id };
    expect(groupProfile(root, [loser])).toEqual({
      email: 'ali@example.com', birthday: null, anniversary: null, tags: ['VIP', 'office'], favorites: [], allergies: ['nuts'],
      carriedNotes: [{ customerId: loser.id, name: 'Ali Rezayi', notes: 'no sugar' }],
    });
  });
});
