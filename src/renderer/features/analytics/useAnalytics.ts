import { useEffect, useMemo, useState } from 'react';
import { useLive } from '../../lib/useLive.ts';
import type { AnalyticsClient, AnalyticsState } from './analytics-client.ts';
import type { AnalyticsQuery, Snapshot } from './compute/schema.ts';
import type { StoredAnswer } from './persisted-state.ts';

const INITIAL: AnalyticsState = { ready: false, loaded: { customers: 0, visits: 0, loyaltyEntries: 0, rewards: 0 }, version: 0, error: null };

/**
 * The dashboard for a question, asked again when the question changes or the data does. Bursts of changes
 * (a replication pull writes hundreds of documents) are coalesced: the question is asked 250 ms after the
 * last change. Answers to superseded questions are dropped. `settled` is false until an answer asked after the
 * whole replica reached the worker has arrived: before that the numbers shown are partial (a question asked
 * while the replica was still streaming), and the page says it is still loading. Meanwhile the answer to the
 * same question kept from the last opening is shown, with `answeredAt` saying how old it is. A question
 * restricted to a saved group is asked once its `members` are known (useGroupMembers.ts), and again when they
 * change.
 */
export function useSnapshot(
  client: AnalyticsClient,
  query: AnalyticsQuery | null,
  members: readonly string[] | null = null,
): { state: AnalyticsState; snapshot: Snapshot | null; error: string | null; settled: boolean; answeredAt: string | null } {
  const state = useLive(() => client.state$, [client], INITIAL);
  const [kept, setKept] = useState<{ key: string; answer: StoredAnswer } | null>(null);
  const [answer, setAnswer] = useState<{ key: string; snapshot: Snapshot | null; error: string | null; whenReady: boolean }>({ key: '', snapshot: null, error: null, whenReady: false });
  const key = useMemo(() => (query ? JSON.stringify(query) : ''), [query]);
  const { ready, version } = state;
  const waiting = Boolean(query?.group) && members === null;
  useEffect(() => {
    if (!query || waiting) return;
    let live = true;
    const timer = setTimeout(
      () => {
        client.snapshot(query, members ?? undefined).then(
          (snapshot) => live && setAnswer({ key, snapshot, error: null, whenReady: ready }),
          (error: unknown) => live && setAnswer((previous) => ({ key, snapshot: previous.snapshot, error: (error as { code?: string }).code ?? 'INTERNAL', whenReady: ready })),
        );
      },
      // The first question, and the first once the replica is in, are asked at once.
      version === 0 || (ready && !answer.whenReady) ? 0 : 250,
    );
    return () => {
      live = false;
      clearTimeout(timer);
    };
    // `key` stands for `query` (a new object each render).
  }, [client, key, version, ready, members, waiting]);
  useEffect(() => {
    if (!query) return;
    let live = true;
    void client.lastAnswer(query).then((found) => live && found && setKept({ key, answer: found }));
    return () => {
      live = false;
    };
  }, [client, key]);
  const settled = ready && (answer.whenReady || !query);
  // Until the worker's answer covers the whole replica, the answer kept from the last opening is shown.
  const shown = !settled && kept?.key === key ? kept.answer : null;
  return { state, snapshot: shown?.snapshot ?? answer.snapshot, error: answer.error, settled, answeredAt: shown?.answeredAt ?? null };
}
