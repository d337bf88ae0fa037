import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { Customer } from '../../../sync/model/customer.ts';
import type { WriteContext } from '../../../sync/model/document-builders.ts';
import type { InboxItem, InboxKind } from '../../../sync/model/inbox.ts';
import { useObservable, useSubject, useTerminal } from '../../db/hooks.ts';
import { uiLocale } from '../analytics/format.ts';
import {
  conflictOf, InboxActionError, keepValue, mergeInto, reopenable, resolution, settleOverdraft, takeOtherValue, undoMerge,
  type Actor, type CustomerPatch, type ResolutionFacts,
} from './actions.ts';
import { InboxItemCard, type ItemActions } from './InboxItemCard.tsx';
import { MergeForm } from './MergeForm.tsx';
import { customerIdsOf, useCustomers, useGroupBalances, useInboxItems, useStaffNames } from './useInboxData.ts';
import { setItemStatus } from './writes.ts';
import './inbox.css';

/** Kinds in the order a manager should look at them. */
const INBOX_KINDS: readonly InboxKind[] = ['duplicate', 'overdraft', 'conflict', 'rejected_write'];

/**
 * The sync inbox (managers): what the server could not decide alone, grouped by kind, each with the ordinary
 * replicated writes that settle it. Every action that settles an item also marks it resolved as the signed-in
 * manager (or dismissed, for a rejected write marked read), so every manager's device shows it settled and
 * by whom; how an item stands also follows the data it is about (actions.ts `resolution`).
 */
export function InboxPage() {
  const { t, i18n } = useTranslation('inbox');
  const locale = uiLocale(i18n.language);
  const terminal = useTerminal();
  const staff = useSubject(terminal.staff$);
  const settings = useSubject(terminal.settings$);
  const status = useObservable(terminal.status$, null);
  const [showResolved, setShowResolved] = useState(false);
  const items = useInboxItems(terminal, showResolved);
  const staffNames = useStaffNames(terminal);
  const customers = useCustomers(terminal, items.flatMap(customerIdsOf));
  const overdrawn = items.filter((i) => i.kind === 'overdraft' && i.customerId).map((i) => i.customerId!);
  const balances = useGroupBalances(terminal, overdrawn);

  const actor = (): Actor => {
    if (!staff) throw new InboxActionError('NOT_FOUND');
    return { staffId: staff.id, now: new Date().toISOString() };
  };
  const context = (): WriteContext => ({
    merchantId: terminal.credential.merchantId,
    storeId: terminal.credential.storeId,
    terminalId: terminal.credential.terminalId,
    staffId: actor().staffId,
    now: new Date().toISOString(),
    offline: status?.connection !== 'online',
  });
  const patchCustomer = async (id: string, build: (customer: Customer) => CustomerPatch) => {
    const doc = await terminal.db.customers.findOne(id).exec();
    if (!doc) throw new InboxActionError('NOT_FOUND');
    const patch = build({ ...(doc.toJSON() as Omit<Customer, '_deleted'>), _deleted: false });
    await doc.incrementalPatch(patch);
  };
  // Called after the write that settles the item (if any): when that write fails, the item stays open.
  const resolve = (item: InboxItem) => setItemStatus(terminal.db, item.id, 'resolved', actor());
  const loserOf = (item: InboxItem) => item.details.merged ?? item.relatedId ?? '';
  const survivorOf = (item: InboxItem) => item.details.mergedInto ?? item.customerId ?? '';

  const actions: ItemActions = {
    keepMerged: resolve,
    acknowledge: (item) => setItemStatus(terminal.db, item.id, 'dismissed', actor()),
    reopen: (item) => setItemStatus(terminal.db, item.id, 'open', actor()),
    undoMerge: async (item) => {
      await patchCustomer(loserOf(item), (loser) => undoMerge(loser, actor()));
      await resolve(item);
    },
    mergeAgain: async (item) => {
      const keep = customers.get(survivorOf(item));
      if (!keep) throw new InboxActionError('NOT_FOUND');
      await patchCustomer(loserOf(item), (loser) => mergeInto(loser, keep, (id) => terminal.merges.rootOf(id), actor()));
      await resolve(item);
    },
    settle: async (item) => {
      const balance = balances.get(item.customerId ?? '');
      if (balance === undefined) throw new InboxActionError('NOT_FOUND');
      const entry = settleOverdraft(item, balance, context());
      // Its id derives from the item: an adjustment already made (here or replicated) is not made again.
      if (!(await terminal.db.loyaltyEntries.findOne(entry.id).exec())) {
        const { _deleted, ...doc } = entry;
        await terminal.db.loyaltyEntries.insert(doc);
      }
      await resolve(item);
    },
    keepValue: async (item) => {
      const conflict = conflictOf(item);
      if (!conflict || !item.customerId) throw new InboxActionError('NOT_FOUND');
      await patchCustomer(item.customerId, (customer) => keepValue(customer, conflict, actor()));
      await resolve(item);
    },
    takeOther: async (item) => {
      const conflict = conflictOf(item);
      if (!conflict || !item.customerId) throw new InboxActionError('NOT_FOUND');
      await patchCustomer(item.customerId, (customer) => takeOtherValue(customer, conflict, { ...actor(), ctx: context(), defaultRegion: settings.defaultRegion }));
      await resolve(item);
    },
  };

  const facts = (item: InboxItem): ResolutionFacts => ({ customers, balance: item.customerId ? balances.get(item.customerId) : undefined });
  const states = new Map(items.map((item) => [item.id, resolution(item, facts(item))]));
  const visible = items.filter((item) => showResolved || states.get(item.id) === 'open');

  return (
    <section className="inbox" data-testid="inbox-page" aria-labelledby="inbox-title">
      <h1 id="inbox-title">{t('title')}</h1>
      <p className="hint">{t('intro')}</p>
      <label className="inbox-toggle">
        <input type="checkbox" checked={showResolved} onChange={(e) => setShowResolved(e.target.checked)} />
        {t('showResolved')}
      </label>
      {visible.length === 0 && <p role="status">{t('empty')}</p>}
      {INBOX_KINDS.map((kind) => {
        const group = visible.filter((item) => item.kind === kind);
        if (group.length === 0) return null;
        return (
          <section key={kind} aria-labelledby={`inbox-kind-${kind}`}>
            <h2 id={`inbox-kind-${kind}`}>
              {t(`group.${kind}`)} ({group.length.toLocaleString(locale === 'fa' ? 'fa-IR' : 'en-US')})
            </h2>
            <ul className="inbox-list">
              {group.map((item) => (
                <InboxItemCard
                  key={item.id}
                  item={item}
                  state={states.get(item.id) ?? 'open'}
                  reopenable={reopenable(item, facts(item))}
                  resolver={item.resolvedBy ? staffNames.get(item.resolvedBy) : undefined}
                  customers={customers}
                  balance={item.customerId ? balances.get(item.customerId) : undefined}
                  locale={locale}
                  timeZone={settings.timeZone}
                  actions={actions}
                />
              ))}
            </ul>
          </section>
        );
      })}
      <MergeForm
        onMerge={async (loser, keep) => {
          await patchCustomer(loser.id, (current) => mergeInto(current, keep, (id) => terminal.merges.rootOf(id), actor()));
        }}
      />
    </section>
  );
}
