import { useTranslation } from 'react-i18next';
import type { Customer } from '../../../sync/model/customer.ts';
import type { InboxItem } from '../../../sync/model/inbox.ts';
import type { Locale } from '../../../sync/model/settings.ts';
import { formatDateTime, formatNumber, formatPhoneNumber } from '../../lib/format.ts';
import type { InboxAction } from '../../../sync/client/commands/index.ts';
import { conflictOf, isSharedPhone, type Resolution } from '../../../sync/model/inbox-actions.ts';
import { useCommand } from '../../lib/useCommand.ts';

/**
 * A customer named in an inbox text: the name and the phone in the UI's digits, the phone isolated
 * (U+2066…U+2069) so it reads left to right inside Persian text.
 */
const customerLabel = (customer: Customer | undefined, fallback: string, locale: Locale, region: string) =>
  customer ? `${customer.name} (\u2066${formatPhoneNumber(customer.phone, locale, region)}\u2069)` : fallback;

/** Shows a value recorded by a merge (JSON) as readable text. */
function showValue(json: string): string {
  try {
    const value: unknown = JSON.parse(json);
    if (value === null) return '—';
    if (typeof value === 'string') return value;
    return JSON.stringify(value);
  } catch {
    return json;
  }
}

/** One inbox item with its explanation and actions. */
export function InboxItemCard(props: {
  item: InboxItem;
  state: Resolution;
  /** Settled by its status alone, so reopening it brings it back (model inbox-actions.ts `reopenable`). */
  reopenable: boolean;
  /** Name of the staff member who set the status, when this device knows them. */
  resolver: string | undefined;
  customers: ReadonlyMap<string, Customer>;
  balance: number | undefined;
  locale: Locale;
  timeZone: string;
  /** The merchant's country, for phones in national format. */
  region: string;
}) {
  const { t } = useTranslation('inbox');
  const { item, state, customers, locale } = props;
  const resolve = useCommand('resolveInboxItem');
  const busy = resolve.pending;
  const run = (action: InboxAction) => () => void resolve.run({ itemId: item.id, action });
  const open = state === 'open';
  const headingId = `inbox-${item.id}`;
  let body;
  switch (item.kind) {
    case 'duplicate': {
      if (isSharedPhone(item)) {
        body = <SharedPhone item={item} state={state} label={(id) => customerLabel(customers.get(id), t('unknownCustomer'), locale, props.region)} merged={customers.get(item.relatedId ?? '')?.mergedInto === item.customerId} busy={busy} run={run} />;
        break;
      }
      const survivor = customers.get(item.details.mergedInto ?? item.customerId ?? '');
      const merged = customers.get(item.details.merged ?? item.relatedId ?? '');
      body = (
        <>
          <p>{t('duplicate.text', { merged: customerLabel(merged, t('unknownCustomer'), locale, props.region), survivor: customerLabel(survivor, t('unknownCustomer'), locale, props.region) })}</p>
          <div className="inbox-actions">
            {state === 'separated' ? (
              <button type="button" disabled={busy} onClick={run('mergeAgain')}>{t('duplicate.mergeAgain')}</button>
            ) : (
              <>
                {open && <button type="button" disabled={busy} onClick={run('keepMerged')}>{t('duplicate.keep')}</button>}
                <button type="button" disabled={busy} onClick={run('undoMerge')}>{t('duplicate.undo')}</button>
              </>
            )}
          </div>
        </>
      );
      break;
    }
    case 'overdraft': {
      const customer = customers.get(item.customerId ?? '');
      const stamps = item.details.unit === 'stamps';
      body = (
        <>
          <p>{t(`overdraft.text.${overdraftKind(item.details.kind)}`, { customer: customerLabel(customer, t('unknownCustomer'), locale, props.region), points: formatNumber(Math.abs(Number(item.details.points ?? item.details.stamps ?? 0)), locale), balance: formatNumber(Number(item.details.balance ?? 0), locale) })}</p>
          {item.details.offline === 'true' && <p className="muted">{t('overdraft.offline')}</p>}
          {/* A stamp card's overdraft is about stamps: the points balance and its settling adjustment do not apply. */}
          {!stamps && props.balance !== undefined && <p>{t('overdraft.now', { balance: formatNumber(props.balance, locale) })}</p>}
          {!stamps && open && props.balance !== undefined && props.balance < 0 && (
            <div className="inbox-actions">
              <button type="button" disabled={busy} onClick={run('settle')}>{t('overdraft.adjust', { points: formatNumber(-props.balance, locale) })}</button>
            </div>
          )}
        </>
      );
      break;
    }
    case 'reward_cap': {
      const customer = customers.get(item.customerId ?? '');
      body = (
        <>
          <p>{t('rewardCap.text', { customer: customerLabel(customer, t('unknownCustomer'), locale, props.region), reward: item.details.reward ?? '' })}</p>
          {item.details.offline === 'true' && <p className="muted">{t('rewardCap.offline')}</p>}
          {open && (
            <div className="inbox-actions">
              <button type="button" disabled={busy} onClick={run('acknowledge')}>{t('rewardCap.acknowledge')}</button>
            </div>
          )}
        </>
      );
      break;
    }
    case 'rejected_write':
      body = (
        <>
          <p>{t('rejected.text', { collection: t(`collections.${item.targetCollection ?? 'unknown'}`, { defaultValue: item.targetCollection ?? '' }), reason: t(`common:errors.${item.code}`, { defaultValue: item.code }) })}</p>
          <details>
            <summary>{t('rejected.details')}</summary>
            <dl className="inbox-details">
              <dt>{t('rejected.code')}</dt>
              <dd><code>{item.code}</code></dd>
              {Object.entries(item.details).map(([key, value]) => (
                <div key={key}>
                  <dt>{t(`rejected.detail.${key}`, { defaultValue: key })}</dt>
                  <dd><bdi>{value}</bdi></dd>
                </div>
              ))}
            </dl>
          </details>
          {open && (
            <div className="inbox-actions">
              <button type="button" disabled={busy} onClick={run('acknowledge')}>{t('rejected.acknowledge')}</button>
            </div>
          )}
        </>
      );
      break;
    case 'conflict': {
      const conflict = conflictOf(item);
      const customer = customers.get(item.customerId ?? '');
      body = (
        <>
          <p>{t('conflict.text', { customer: customerLabel(customer, t('unknownCustomer'), locale, props.region), field: t(`fields.${conflict?.field ?? ''}`, { defaultValue: conflict?.field ?? '' }) })}</p>
          {conflict && (
            <dl className="inbox-details">
              <dt>{t('conflict.kept')}</dt>
              <dd><bdi>{showValue(conflict.kept)}</bdi></dd>
              <dt>{t('conflict.lost')}</dt>
              <dd><bdi>{showValue(conflict.lost)}</bdi></dd>
            </dl>
          )}
          {open && (
            <div className="inbox-actions">
              <button type="button" disabled={busy} onClick={run('keepValue')}>{t('conflict.keep')}</button>
              <button type="button" disabled={busy} onClick={run('takeOther')}>{t('conflict.takeOther')}</button>
            </div>
          )}
        </>
      );
      break;
    }
  }
  return (
    <li className="inbox-item" data-testid="inbox-item" data-kind={item.kind} data-state={state} aria-labelledby={headingId}>
      <h3 id={headingId}>
        {t(isSharedPhone(item) ? 'kind.sharedPhone' : `kind.${item.kind}`)} <span className="inbox-state">{t(`state.${state}`)}</span>
      </h3>
      <p className="hint">{formatDateTime(item.createdAt, locale, props.timeZone)}</p>
      {item.status !== 'open' && item.resolvedAt && (
        <p className="hint" data-testid="inbox-settled">
          {t(`settled.${item.status}`, { name: props.resolver ?? t('settled.someone'), time: formatDateTime(item.resolvedAt, locale, props.timeZone) })}
        </p>
      )}
      {body}
      {props.reopenable && (
        <div className="inbox-actions">
          <button type="button" disabled={busy} onClick={run('reopen')}>{t('reopen')}</button>
        </div>
      )}
      {resolve.error && <p role="alert">{t(resolve.error.key)}</p>}
    </li>
  );
}

/** Which sentence tells what overdrew: the line's kind (items raised before kinds were recorded say "a change"). */
function overdraftKind(kind: string | undefined): 'redeem' | 'reversal' | 'adjust' | 'stamp_redeem' | 'stamp_reversal' | 'other' {
  return kind === 'redeem' || kind === 'reversal' || kind === 'adjust' || kind === 'stamp_redeem' || kind === 'stamp_reversal' ? kind : 'other';
}

/**
 * Two customers the server did not merge because one's phone is the other's second phone: a manager merges the
 * later into the earlier (and can undo that), or keeps both.
 */
function SharedPhone(props: { item: InboxItem; state: Resolution; label: (id: string) => string; merged: boolean; busy: boolean; run: (action: InboxAction) => () => void }) {
  const { t } = useTranslation('inbox');
  const { item, busy, run } = props;
  const names = { customer: props.label(item.customerId ?? ''), related: props.label(item.relatedId ?? '') };
  return (
    <>
      <p>{t('sharedPhone.text', names)}</p>
      <div className="inbox-actions">
        {props.state === 'open' && (
          <>
            <button type="button" disabled={busy} onClick={run('mergeAgain')}>{t('sharedPhone.merge', names)}</button>
            <button type="button" disabled={busy} onClick={run('acknowledge')}>{t('sharedPhone.keepBoth')}</button>
          </>
        )}
        {props.state !== 'open' && props.merged && <button type="button" disabled={busy} onClick={run('undoMerge')}>{t('sharedPhone.undo')}</button>}
      </div>
    </>
  );
}
