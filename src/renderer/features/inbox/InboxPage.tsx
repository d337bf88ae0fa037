import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { reopenable, resolution, type ResolutionFacts } from '../../../sync/model/inbox-actions.ts';
import type { InboxItem, InboxKind } from '../../../sync/model/inbox.ts';
import { useTerminal } from '../../app/terminal-context.ts';
import { asLocale, formatNumber } from '../../lib/format.ts';
import { useSettings } from '../../lib/hooks.ts';
import { InboxItemCard } from './InboxItemCard.tsx';
import { MergeForm } from './MergeForm.tsx';
import { customerIdsOf, useCustomers, useGroupBalances, useInboxItems, useStaffNames } from './useInboxData.ts';
import './inbox.css';

/** Kinds in the order a manager should look at them. */
const INBOX_KINDS: readonly InboxKind[] = ['duplicate', 'overdraft', 'reward_cap', 'conflict', 'rejected_write'];

/**
 * The sync inbox (managers): what the server could not decide alone, grouped by kind. Each action is the
 * terminal's resolveInboxItem command — the replicated write that settles the item, then its status as the
 * signed-in manager — so every manager's device shows it settled and by whom; how an item stands also follows
 * the data it is about (model inbox-actions.ts `resolution`).
 */
export function InboxPage() {
  const { t, i18n } = useTranslation('inbox');
  const locale = asLocale(i18n.language);
  const terminal = useTerminal();
  const settings = useSettings(terminal);
  const [showResolved, setShowResolved] = useState(false);
  const items = useInboxItems(terminal, showResolved);
  const staffNames = useStaffNames(terminal);
  const customers = useCustomers(terminal, items.flatMap(customerIdsOf));
  const overdrawn = items.filter((i) => i.kind === 'overdraft' && i.customerId).map((i) => i.customerId!);
  const balances = useGroupBalances(terminal, overdrawn);

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
              {t(`group.${kind}`)} ({formatNumber(group.length, locale)})
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
                  region={settings.defaultRegion}
                />
              ))}
            </ul>
          </section>
        );
      })}
      <MergeForm />
    </section>
  );
}
