import { afterAll, describe, expect, it } from 'vitest';
import type { Customer } from '../../../src/sync/model/customer.ts';
import { applyPush } from '../../../src/sync/server/sync/push.ts';
import { installTimestampClock } from '../../helpers/broken-server.ts';
import { createTestDatabase, type TestDatabase } from '../../helpers/database.ts';
import { aCustomer, insertRow } from '../../helpers/documents.ts';
import { enrolTerminal, seedMerchant, testApp } from '../../helpers/sync-server.ts';

/**
 * docs/reliability.md#f9 / #i1: a push held open while another push commits and a pull advances. The held row must
 * still be pulled afterwards. Postgres only: PGlite has one connection, so nothing can interleave there.
 */
async function heldPushScenario(broken: boolean): Promise<{ held: Customer; other: Customer; pulledIds: Set<string>; otherSeenWhileHeld: boolean }> {
  const tdb: TestDatabase = await createTestDatabase('postgres');
  cleanups.push(() => tdb.drop());
  if (broken) await installTimestampClock(tdb.db);
  const app = await testApp(tdb.db, { brokenClockForTests: broken });
  cleanups.push(() => app.close());
  const seed = await seedMerchant(tdb.db);
  const till = await enrolTerminal(app, tdb.db, seed, 'Till 1');
  const other = await enrolTerminal(app, tdb.db, seed, 'Till 2');
  const held = aCustomer(till.ctx(seed.cashier));
  const late = aCustomer(other.ctx(seed.cashier));

  const baseline = await till.pull('customers');
  const checkpoint0 = baseline.checkpoint?.v;

  let release!: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  let written!: () => void;
  const wroteHeld = new Promise<void>((resolve) => (written = resolve));
  const heldPush = tdb.db.transaction(async (tx) => {
    await applyPush(tx, { merchantId: seed.merchantId, terminalId: till.terminalId, storeId: till.storeId }, 'customers', [insertRow(held) as never], { brokenClockForTests: broken });
    written();
    await gate;
  });
  await wroteHeld;

  // Another terminal pushes. On the correct server it queues behind the held transaction's clock lock.
  const otherPush = other.push('customers', [insertRow(late)]);
  await new Promise((resolve) => setTimeout(resolve, 300));
  const whileHeld = await till.pull('customers', checkpoint0);
  const otherSeenWhileHeld = whileHeld.documents.some((d) => d.id === late.id);

  release();
  await heldPush;
  await otherPush;
  const after = await till.pull('customers', whileHeld.checkpoint?.v ?? checkpoint0);
  const pulledIds = new Set([...whileHeld.documents, ...after.documents].map((d) => d.id as string));
  return { held, other: late, pulledIds, otherSeenWhileHeld };
}

const cleanups: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

describe('gapless change feed under concurrency (Postgres)', () => {
  it('pulls a row whose push was held open while another push committed and a pull advanced', async () => {
    const { held, other, pulledIds, otherSeenWhileHeld } = await heldPushScenario(false);
    // The clock lock serialises the second writer behind the first, so the pull saw neither yet.
    expect(otherSeenWhileHeld).toBe(false);
    expect(pulledIds.has(held.id)).toBe(true);
    expect(pulledIds.has(other.id)).toBe(true);
  });

  it('the same scenario catches a broken server (timestamp cursor, no clock lock)', async () => {
    const { held, other, pulledIds, otherSeenWhileHeld } = await heldPushScenario(true);
    expect(otherSeenWhileHeld).toBe(true);
    expect(pulledIds.has(other.id)).toBe(true);
    // The late-committing row fell behind the checkpoint: exactly the data loss the design forbids.
    expect(pulledIds.has(held.id)).toBe(false);
  });
});
