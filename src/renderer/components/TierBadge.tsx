import type { Tier } from '../../sync/model/common.ts';

/** A tier as a small coloured badge; the text comes translated from the caller. */
export function TierBadge({ tier, label }: { tier: Tier; label: string }) {
  return (
    <span className={`tier tier-${tier}`} data-tier={tier}>
      {label}
    </span>
  );
}
