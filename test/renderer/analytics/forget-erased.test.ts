import { describe, expect, it } from 'vitest';
import { forgetAnalyticsOnErasure } from '../../../src/renderer/features/analytics/forget-erased.ts';
import { ANALYTICS_STATE_VERSION, memoryStateStore } from '../../../src/renderer/features/analytics/persisted-state.ts';
import { RejectedRows, createPatronDatabase } from '../../../src/sync/client/database.ts';
import { forStorage } from '../../../src/sync/client/documents.ts';
import { replicaStream } from '../../../src/sync/client/queries/replica-stream.ts';
import { eraseCustomer } from '../../../src/sync/model/privacy.ts';
import { newId } from '../../../src/sync/model/ids.ts';
import { aCustomer } from '../../helpers/documents.ts';
import { enableDevMode, testStorage } from '../../helpers/terminal.ts';

// The dashboard's persisted input holds customers' names: an erasure reaching the replica drops it
// (docs/privacy.md, on the terminal), while an ordinary edit keeps it.

describe('the analytics state and erasure', () => {
  it('an erasure in the replica drops the persisted analytics input; an edit does not', async () => {
    enableDevMode();
    const db = await createPatronDatabase({ name: `a${newId().slice(-8)}`, storage: testStorage(), rejected: new RejectedRows(), collections: ['customers'] });
    try {
      const replica = replicaStream(db);
      const store = memoryStateStore();
      const state = { version: ANALYTICS_STATE_VERSION, settingsKey: '', checkpoints: { customers: null, visits: null, loyaltyEntries: null, rewards: null }, pages: [] };
      await store.save(replica.name, state);
      const stop = forgetAnalyticsOnErasure(replica, store);
      const ctx = { merchantId: newId(), storeId: newId(), terminalId: newId(), staffId: newId(), now: '2026-05-01T10:00:00.000Z', offline: false };
      const customer = aCustomer(ctx, { name: 'Nasrin Farahani' });
      const doc = await db.customers.insert(forStorage(customer));
      await doc.incrementalPatch({ company: 'edited' });
      expect(await store.load(replica.name)).not.toBeNull();
      const erased = eraseCustomer(customer, { at: '2026-05-02T10:00:00.000Z', by: ctx.staffId, reason: 'asked in the shop' });
      await db.customers.findOne(customer.id).exec().then((d) => d!.incrementalModify((stored) => ({ ...stored, ...forStorage(erased), _deleted: true })));
      await new Promise((resolve) => setTimeout(resolve, 20));
      expect(await store.load(replica.name)).toBeNull();
      stop();
    } finally {
      await db.close();
    }
  });
});
