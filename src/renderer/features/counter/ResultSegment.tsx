import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { Segment } from '../../../sync/model/segments.ts';
import { useTerminal } from '../../app/terminal-context.ts';

/**
 * A lookup result's segment (VIP, at risk…), read from the terminal's facts cache — the same facts as the
 * customer list — once typing pauses (`load`); nothing is shown before it is known, and "none" shows nothing.
 */
export function ResultSegment({ customerId, load }: { customerId: string; load: boolean }) {
  const { t } = useTranslation('common');
  const facts = useTerminal().queries.facts;
  const [segment, setSegment] = useState<Segment | null>(() => facts.get(customerId)?.segment ?? null);
  useEffect(() => {
    if (!load || segment !== null) return;
    let live = true;
    void facts.load({ id: customerId }).then((found) => {
      if (live) setSegment(found.segment);
    });
    return () => {
      live = false;
    };
  }, [facts, customerId, load, segment]);
  if (segment === null || segment === 'none') return null;
  return (
    <span className={`badge badge-segment segment-${segment}`} data-testid="result-segment">
      {t(`segment.${segment}`)}
    </span>
  );
}
