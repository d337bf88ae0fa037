import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { TierBadge } from '../../components/TierBadge.tsx';
import { useTerminal } from '../../app/terminal-context.ts';
import { birthdaySoon } from '../../../sync/model/dates.ts';
import { useLocale, useNow, useSettings, useStaff, useSyncStatus } from '../../lib/hooks.ts';
import { formatDateTime, formatNumber, formatPercent, formatPhoneNumber } from '../../lib/format.ts';
import { CardStory } from './CardStory.tsx';
import { ChangeHistory } from './ChangeHistory.tsx';
import { AllergyAlert, CustomerFacts } from './CustomerFacts.tsx';
import { EditCustomer } from './EditCustomer.tsx';
import type { Customer } from '../../../sync/model/customer.ts';
import { CONSENT_CHANNELS } from '../../../sync/model/customer.ts';
import { consentState } from '../../../sync/model/customer-profile.ts';
import { groupProfile } from '../../../sync/model/merge-group.ts';
import { TagChips } from '../../components/TagChip.tsx';
import { ConsentPanel } from './ConsentPanel.tsx';
import { NotesTimeline } from './NotesTimeline.tsx';
import { useLive } from '../../lib/useLive.ts';
import { MemberCode } from './MemberCode.tsx';
import { ErasedNotice, PrivacyPanel, useErasure } from './PrivacyPanel.tsx';
import { LoyaltyPerks } from './LoyaltyPerks.tsx';
import { RedeemPanel } from './RedeemPanel.tsx';
import { StampCardPanel } from './StampCardPanel.tsx';
import { LoyaltyActivity } from './LoyaltyActivity.tsx';
import { useCustomer, useGroup, useGroupEntries, useGroupStanding, useGroupVisits, usePending } from './useCustomer.ts';
import { VisitForm } from './VisitForm.tsx';
import { VisitHistory } from './VisitHistory.tsx';

/**
 * The customer at the counter: who they are, where they stand in the loyalty program (the merge group's
 * ledger, with entries the server has not acknowledged marked), what to remember about them, and the
 * actions: record a visit, redeem, void.
 */
export function CustomerCard({
  id,
  onOpen,
  onBackToLookup,
}: {
  id: string;
  onOpen(id: string): void;
  onBackToLookup(): void;
}) {
  const { t } = useTranslation('counter');
  const terminal = useTerminal();
  const locale = useLocale();
  const settings = useSettings(terminal);
  const status = useSyncStatus(terminal);
  const staff = useStaff(terminal);
  // The audit trail names staff and terminals, and export and erasure are managers' rights: managers and owners only.
  const isManager = staff?.role === 'manager' || staff?.role === 'owner';
  const customer = useCustomer(id);
  const group = useGroup(id);
  const now = useNow(60_000);
  // Expired points (derived from the ledger at `now`) are out of the balance, the redeem cap and the receipt.
  const summary = useGroupStanding(group);
  const entries = useGroupEntries(group);
  const visits = useGroupVisits(group);
  const pending = usePending();
  const [editing, setEditing] = useState(false);
  // The merged duplicates' own documents: their details show on the survivor's card (groupProfile).
  const groupKey = group.slice(1).join(' ');
  const merged = useLive(() => terminal.queries.customersById$(groupKey === '' ? [] : groupKey.split(' ')), [terminal, groupKey], new Map<string, Customer>());
  const headingRef = useRef<HTMLHeadingElement>(null);
  // A customer erased here or on another terminal leaves the queries; the card then says so, and why.
  const erasure = useErasure(id, customer === null);
  const staffNames = useLive(() => terminal.queries.staffNames$(), [terminal], new Map<string, string>());

  // A customer merged into another while open (a sync brought the merge) is shown as the one they joined.
  const mergedRoot = customer?.mergedInto ? terminal.queries.rootOf(customer) : null;
  useEffect(() => {
    if (mergedRoot && mergedRoot !== id) onOpen(mergedRoot);
  }, [mergedRoot, id, onOpen]);

  if (customer === undefined) return <p role="status">{t('common:loading')}</p>;
  if (customer === null) {
    return (
      <div className="panel">
        {erasure ? <ErasedNotice erasure={erasure} /> : <p role="alert">{t('common:errors.CUSTOMER_NOT_FOUND')}</p>}
        <button type="button" onClick={onBackToLookup}>
          {t('backToLookup')}
        </button>
      </div>
    );
  }

  const unsynced = (entries ?? []).filter((e) => pending.has(`loyaltyEntries:${e.id}`));
  const unsyncedPoints = unsynced.reduce((sum, e) => sum + e.points, 0);
  const soon = birthdaySoon(customer.birthday, new Date(now), settings.timeZone);
  const blocked = customer.status === 'blocked';
  const profile = groupProfile(customer, [...merged.values()]);

  return (
    <article
      className="customer-card"
      data-testid="customer-card"
      data-customer-id={customer.id}
      aria-labelledby="customer-name"
    >
      <header className="card-header">
        <div className="card-identity">
          <h2 id="customer-name" ref={headingRef} tabIndex={-1}>
            {customer.name}
          </h2>
          <p className="card-phone">
            <bdi dir="ltr">{formatPhoneNumber(customer.phone, locale, settings.defaultRegion)}</bdi>
          </p>
          <MemberCode customerId={customer.id} name={customer.name} />
          <TagChips tags={profile.tags} catalogue={settings.tagCatalogue} />
          <ul className="badges" aria-label={t('badges')}>
            {customer.status !== 'active' ? (
              <li className={`badge badge-${customer.status}`}>{t(`common:customerStatus.${customer.status}`)}</li>
            ) : null}
            {soon !== null ? (
              <li className="badge badge-birthday" data-testid="birthday-soon">
                {soon === 0 ? t('birthdayToday') : t('birthdaySoon', { count: soon, n: formatNumber(soon, locale) })}
              </li>
            ) : null}
            {CONSENT_CHANNELS.map((channel) => (
              <li key={channel} className={`badge ${consentState(profile.consent, channel).granted ? 'badge-ok' : 'badge-muted'}`}>
                {t(`consentState.${channel}.${consentState(profile.consent, channel).granted ? 'granted' : 'none'}`)}
              </li>
            ))}
            {group.length > 1 ? (
              <li className="badge badge-muted">
                {t('mergedRecords', { count: group.length - 1, n: formatNumber(group.length - 1, locale) })}
              </li>
            ) : null}
          </ul>
        </div>
        <div className="card-tools">
          <button type="button" onClick={() => setEditing((e) => !e)} aria-expanded={editing}>
            {editing ? t('closeEdit') : t('edit')}
          </button>
          <button type="button" className="button-link" onClick={onBackToLookup}>
            {t('backToLookup')}
          </button>
        </div>
      </header>

      <section className="loyalty" aria-label={t('loyalty')}>
        {summary ? (
          <>
            <div className="loyalty-points">
              <p
                className="points"
                data-testid="customer-points"
                data-points={summary.balance}
                data-unsynced={unsynced.length}
              >
                <span className="points-value">{formatNumber(summary.balance, locale)}</span>
                <span className="points-unit">{t('points', { count: summary.balance })}</span>
                {unsynced.length > 0 ? (
                  <span className="unsynced" title={t('unsyncedTitle')}>
                    {t('unsynced', {
                      count: unsynced.length,
                      n: formatNumber(unsynced.length, locale),
                      points: formatNumber(unsyncedPoints, locale, { signDisplay: 'exceptZero' }),
                    })}
                  </span>
                ) : null}
              </p>
              {summary.expiringSoon > 0 && summary.nextExpiryAt ? (
                <p className="expiry-warning" data-testid="expiry-warning">
                  {t('expiringSoon', { n: formatNumber(summary.expiringSoon, locale), date: formatDateTime(summary.nextExpiryAt, locale, settings.timeZone) })}
                </p>
              ) : null}
            </div>
            <div className="loyalty-tier">
              <TierBadge tier={summary.tier} label={t(`common:tier.${summary.tier}`)} />
              {summary.next ? (
                <>
                  <progress
                    className="tier-progress"
                    value={Math.round(summary.progress * 100)}
                    max={100}
                    aria-label={t('tierProgressLabel', { next: t(`common:tier.${summary.next}`) })}
                    aria-valuetext={formatPercent(summary.progress, locale)}
                  />
                  <span className="muted">
                    {t('toNextTier', {
                      n: formatNumber(summary.pointsToNext, locale),
                      tier: t(`common:tier.${summary.next}`),
                    })}
                  </span>
                </>
              ) : (
                <span className="muted">{t('topTier')}</span>
              )}
            </div>
            <LoyaltyPerks customer={customer} summary={summary} entries={entries} />
          </>
        ) : (
          <p role="status">{t('common:loading')}</p>
        )}
      </section>

      <StampCardPanel customerId={customer.id} group={group} blocked={blocked} />

      <CardStory customer={customer} visits={visits} priorVisits={profile.priorVisits} />

      <AllergyAlert allergies={profile.allergies} />

      {editing ? (
        <EditCustomer
          customer={customer}
          onDone={() => {
            setEditing(false);
            // The form is gone: put focus back on the customer rather than losing it to the page.
            requestAnimationFrame(() => headingRef.current?.focus());
          }}
        />
      ) : (
        <CustomerFacts customer={customer} profile={profile} settings={settings} />
      )}


      <div className="card-actions">
        <VisitForm customer={customer} summary={summary} entries={entries} blocked={blocked} autoFocus />
        <RedeemPanel customer={customer} summary={summary} entries={entries} status={status} blocked={blocked} />
      </div>

      <VisitHistory visits={visits} entries={entries} pending={pending} />
      <LoyaltyActivity group={group} customerId={customer.id} />
      <div className="card-histories">
        <NotesTimeline customer={customer} notes={profile.timeline} staffNames={staffNames} />
        <ConsentPanel customer={customer} history={profile.consent} staffNames={staffNames} />
      </div>
      {isManager ? <ChangeHistory customerId={customer.id} /> : null}
      {isManager ? <PrivacyPanel customerId={customer.id} /> : null}
    </article>
  );
}
