import { useTranslation } from 'react-i18next';
import type { Customer } from '../../../sync/model/customer.ts';
import { customerStory } from '../../../sync/model/customer-story.ts';
import { moneyUnit } from '../../../sync/model/money.ts';
import { zonedDate } from '../../../sync/model/dates.ts';
import type { Visit } from '../../../sync/model/visit.ts';
import { useTerminal } from '../../app/terminal-context.ts';
import { formatAmount, formatDay, formatNumber } from '../../lib/format.ts';
import { useLocale, useNow, useSettings } from '../../lib/hooks.ts';

/**
 * The customer's history in figures on the card: visits (the merge group's visits before Patron included and
 * named), lifetime spend, average ticket, member since and segment (model customerStory: the same rules as the
 * list and the analytics). Placeholders while loading.
 */
export function CardStory({ customer, visits, priorVisits }: { customer: Customer; visits: Visit[] | null; priorVisits: number }) {
  const { t } = useTranslation('counter');
  const terminal = useTerminal();
  const locale = useLocale();
  const settings = useSettings(terminal);
  const now = useNow(60_000);
  const story = visits ? customerStory(visits, new Date(now), settings.segments, priorVisits) : null;
  // The part from before Patron on a line of its own under the all-time count (a figure never wraps).
  const prior = story && story.priorVisits > 0 ? t('story.priorVisits', { n: formatNumber(story.priorVisits, locale) }) : null;
  const money = (minor: number | null) => (minor === null ? t('none') : formatAmount(minor, moneyUnit(settings), locale));
  const since = formatDay(zonedDate(new Date(customer.createdAt), settings.timeZone), locale, 'medium');
  return (
    <dl className="card-story" data-testid="customer-story" data-segment={story?.segment ?? ''} aria-busy={story === null}>
      <StoryFact label={t('story.segment')} value={story ? t(`common:segment.${story.segment}`) : null} testId="story-segment" />
      <StoryFact label={t('story.visits')} value={story ? formatNumber(story.visitCount, locale) : null} testId="story-visits" note={prior} noteTestId="story-prior-visits" />
      <StoryFact label={t('story.lifetimeSpend')} value={story ? money(story.lifetimeSpend) : null} testId="story-spend" />
      <StoryFact label={t('story.averageTicket')} value={story ? money(story.averageTicket) : null} testId="story-average" />
      <StoryFact label={t('story.memberSince')} value={since} testId="story-since" />
    </dl>
  );
}

function StoryFact({ label, value, testId, note = null, noteTestId }: { label: string; value: string | null; testId: string; note?: string | null; noteTestId?: string }) {
  return (
    <div className="story-fact">
      <dt>{label}</dt>
      <dd className="figure" data-testid={testId}>
        {value ?? <span className="placeholder" aria-hidden="true" />}
      </dd>
      {note !== null ? (
        <dd className="story-note muted" data-testid={noteTestId}>
          {note}
        </dd>
      ) : null}
    </div>
  );
}
