import { describe, expect, it } from 'vitest';
import { CustomerSchema } from '../../../src/sync/model/customer.ts';
import {
  CUSTOMER_KEPT_FIELDS,
  PERSONAL_FIELD_NAMES,
  eraseCustomer,
  erasureOf,
  erasureProblem,
  isErased,
} from '../../../src/sync/model/privacy.ts';
import { aCustomer } from '../../helpers/documents.ts';

const ctx = {
  merchantId: '01900000-0000-7000-8000-000000000001',
  storeId: '01900000-0000-7000-8000-000000000002',
  terminalId: '01900000-0000-7000-8000-000000000003',
  staffId: '01900000-0000-7000-8000-000000000004',
  now: '2026-05-03T10:00:00.000Z',
  offline: false,
};
const erasure = { at: '2026-05-04T09:00:00.000Z', by: '01900000-0000-7000-8000-000000000005', reason: 'asked by e-mail' };

describe('the personal fields and the erasure (model/privacy.ts)', () => {
  it('classifies every customer field once: personal or kept', () => {
    const all = Object.keys(CustomerSchema.shape).sort();
    expect([...PERSONAL_FIELD_NAMES, ...CUSTOMER_KEPT_FIELDS].sort()).toEqual(all);
  });

  it('an erasure is a valid customer tombstone that keeps ids and the marker, and nothing personal', () => {
    const customer = aCustomer(ctx, { name: 'Parisa Karimi', email: 'parisa@example.com', notes: 'window seat', tags: ['vip'], company: 'Karimi Co', address: '5 Elm St', phone2: '09121234567', consent: { email: true, sms: true } });
    const erased = eraseCustomer(customer, erasure);
    expect(CustomerSchema.parse(erased)).toEqual(erased);
    expect(erasureProblem(erased)).toBeNull();
    expect(isErased(erased)).toBe(true);
    expect(erasureOf(erased)).toEqual(erasure);
    for (const field of CUSTOMER_KEPT_FIELDS.filter((f) => !['status', 'updatedAt', 'updatedBy', '_deleted'].includes(f))) expect(erased[field]).toEqual(customer[field]);
    expect(JSON.stringify(erased)).not.toMatch(/Parisa|Karimi|parisa@|window seat|vip|Elm|1234567|granted/);
  });

  it('refuses an erasure that keeps a personal field, is not a tombstone or has no reason', () => {
    const erased = eraseCustomer(aCustomer(ctx, { name: 'Parisa Karimi' }), erasure);
    expect(erasureProblem({ ...erased, name: 'Parisa Karimi' })).toBe('an erasure keeps personal data (name)');
    expect(erasureProblem({ ...erased, _deleted: false })).toBe('an erased customer is a tombstone');
    expect(erasureProblem({ ...erased, timeline: [] })).toBe('an erasure needs a reason');
    expect(erasureOf(aCustomer(ctx))).toBeNull();
  });
});
