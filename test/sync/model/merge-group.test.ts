import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Customer } from '../../../src/sync/model/customer.ts';
import { newCustomer, type WriteContext } from '../../../src/sync/model/document-builders.ts';
import { newId } from '../../../src/sync/model/ids.ts';
import { consentState } from '../../../src/sync/model/customer-profile.ts';
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
  address: fc.constantFrom('', '12 Valiasr St'),
  consent: fc.boolean(),
  priorVisits: fc.constantFrom(0, 3, 250),
  minute: fc.integer({ min: 0, max: 59 }),
});

type RecordInput = { email: string | null; birthday: string | null; tags: string[]; allergies: string[]; favorites: string[]; notes: string; address: string; consent: boolean; priorVisits: number; minute: number };

function customer(r: RecordInput, i: number): Customer {
  const at = `2025-01-01T10:${String(r.minute).padStart(2, '0')}:00.000Z`;
  return newCustomer({ phone: `0912${String(1_000_000 + i).padStart(7, '0')}`, name: `Record ${i}`, email: r.email, birthday: r.birthday, tags: r.tags, notes: r.notes, address: r.address, consent: { sms: r.consent }, priorVisits: r.priorVisits, preferences: { allergies: r.allergies, favorites: r.favorites } }, { ...ctx, now: at }, 'IR');
}

describe('a merge group’s profile', () => {
  it('loses nothing a merged record holds, keeps the survivor’s first, and does not depend on order', () => {
    const seed = Number(process.env.PATRON_TEST_SEED ?? Date.now() % 2 ** 31);
    console.log(`merge group profile: seed ${seed} (PATRON_TEST_SEED to repeat)`);
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
          // Every record's notes, each with its author and time and the record it came from.
          for (const note of c.timeline) expect(profile.timeline).toContainEqual({ ...note, customerId: c.id });
          for (const entry of c.consent) expect(profile.consent).toContainEqual(entry);
        }
        expect(profile.timeline.map((n) => n.at)).toEqual(profile.timeline.map((n) => n.at).sort());
        if (root.address !== '') expect(profile.address).toBe(root.address);
        else if (merged.some((c) => c.address !== '')) expect(profile.address).not.toBe('');
        expect(profile.tags.slice(0, root.tags.length)).toEqual(root.tags);
        if (root.email !== null) expect(profile.email).toBe(root.email);
        if ([root, ...merged].some((c) => c.email !== null)) expect(profile.email).not.toBeNull();
        if (root.birthday !== null) expect(profile.birthday).toBe(root.birthday);
        // The same person's visits before Patron, counted on each record: they add up.
        expect(profile.priorVisits).toBe([root, ...merged].reduce((sum, c) => sum + (c.priorVisits ?? 0), 0));
      }),
      { numRuns: 100, seed },
    );
  });

  it('shows the merged record’s e-mail, second phone, address, allergies, notes and consent that the survivor lacks', () => {
    const later = { ...ctx, now: '2026-01-10T11:00:00.000Z', staffId: newId() };
    const root = newCustomer({ phone: '09121110000', name: 'Ali Rezaei', tags: ['VIP'], notes: 'oat milk', company: 'Sol Co' }, later, 'IR');
    const loser = {
      ...newCustomer({ phone: '09121110001', name: 'Ali Rezayi', email: 'ali@example.com', phone2: '09351112233', address: '12 Valiasr St', company: 'Other', notes: 'no sugar', tags: ['vip', 'office'], preferences: { allergies: ['nuts'] }, consent: { sms: true } }, ctx, 'IR'),
      mergedInto: root.id,
    };
    const profile = groupProfile(root, [loser]);
    expect(profile).toMatchObject({
      email: 'ali@example.com', phone2: '+989351112233', address: '12 Valiasr St', company: 'Sol Co', birthday: null, anniversary: null,
      tags: ['VIP', 'office'], favorites: [], allergies: ['nuts'],
    });
    // The loser's note comes first (written earlier), with its own author and time.
    expect(profile.timeline).toEqual([
      { ...loser.timeline[0]!, customerId: loser.id, text: 'no sugar', by: ctx.staffId, at: ctx.now },
      { ...root.timeline[0]!, customerId: root.id, text: 'oat milk', by: later.staffId, at: later.now },
    ]);
    expect(consentState(profile.consent, 'sms').granted).toBe(true);
    // An undone merge takes it all back: the survivor alone shows only its own.
    expect(groupProfile(root, []).timeline.map((n) => n.text)).toEqual(['oat milk']);
  });
});
