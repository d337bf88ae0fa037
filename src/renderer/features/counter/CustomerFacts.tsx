import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import type { Customer } from '../../../sync/model/customer.ts';
import type { GroupProfile } from '../../../sync/model/merge-group.ts';
import { IsolatedList } from '../../components/IsolatedList.tsx';
import { TagChips } from '../../components/TagChip.tsx';
import type { Settings } from '../../../sync/model/settings.ts';
import { formatDay, formatPhoneNumber } from '../../lib/format.ts';
import { useLocale } from '../../lib/hooks.ts';

/** The allergy alert at the top of the card: each allergy isolated, so mixed-script lists keep their order. */
export function AllergyAlert({ allergies }: { allergies: readonly string[] }) {
  const { t } = useTranslation('counter');
  if (allergies.length === 0) return null;
  return (
    <p className="allergy-alert" data-testid="customer-allergies">
      <strong>{t('allergies')}</strong>
      <span>
        <IsolatedList items={allergies} separator={t('listSeparator')} />
      </span>
    </p>
  );
}

/** What to remember about a customer (their merge group's profile): favourites, time, dates, contact, tags. */
export function CustomerFacts({ customer, profile, settings }: { customer: Customer; profile: GroupProfile; settings: Pick<Settings, 'defaultRegion' | 'tagCatalogue'> }) {
  const { t } = useTranslation('counter');
  const locale = useLocale();
  const { preferredTime } = customer.preferences;
  const list = (items: readonly string[]) => (items.length > 0 ? <IsolatedList items={items} separator={t('listSeparator')} /> : null);
  return (
    <dl className="facts" data-testid="customer-facts">
      <Fact label={t('favorites')} value={list(profile.favorites)} testId="fact-favorites" />
      <Fact label={t('preferredTime')} value={preferredTime ? t(`common:preferredTime.${preferredTime}`) : null} />
      <Fact label={t('birthday')} value={profile.birthday ? formatDay(profile.birthday, locale, 'long') : null} />
      <Fact label={t('anniversary')} value={profile.anniversary ? formatDay(profile.anniversary, locale, 'long') : null} />
      <Fact label={t('email')} value={profile.email ? <bdi dir="ltr">{profile.email}</bdi> : null} />
      <Fact label={t('phone2')} value={profile.phone2 ? <bdi dir="ltr">{formatPhoneNumber(profile.phone2, locale, settings.defaultRegion)}</bdi> : null} testId="fact-phone2" />
      <Fact label={t('company')} value={profile.company ? <bdi>{profile.company}</bdi> : null} testId="fact-company" />
      <Fact label={t('source')} value={profile.source ? t(`sources.${profile.source}`) : null} />
      <Fact label={t('preferredChannel')} value={profile.preferredChannel ? t(`channels.${profile.preferredChannel}`) : null} />
      <Fact label={t('address')} value={profile.address ? <bdi>{profile.address}</bdi> : null} wide testId="fact-address" />
      <Fact label={t('tags')} value={profile.tags.length > 0 ? <TagChips tags={profile.tags} catalogue={settings.tagCatalogue} /> : null} testId="fact-tags" wide />
    </dl>
  );
}

function Fact({ label, value, wide, testId }: { label: string; value: ReactNode; wide?: boolean; testId?: string }) {
  const { t } = useTranslation('counter');
  const present = value !== null && value !== '';
  return (
    <div className={`fact${wide ? ' fact-wide' : ''}`} data-testid={testId}>
      <dt>{label}</dt>
      <dd className={present ? undefined : 'muted'}>{present ? value : t('none')}</dd>
    </div>
  );
}
