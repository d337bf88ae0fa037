import { distinctUntilChanged, filter, map, type Observable, type Subscription } from 'rxjs';
import { newId } from '../model/ids.ts';
import type { TerminalInfoApi } from './api.ts';
import { memberCustomerId } from '../model/member-code.ts';
import type { PatronDatabase } from './database.ts';
import type { LookupIndex } from './lookup-index.ts';
import type { SyncStatus } from './status.ts';

// The terminal's side of member codes (model/member-code.ts, docs/directory.md): its number, told by the
// server at each token exchange, and its sign-up sequence, both in a local document of the replica's own
// database (never replicated). A new customer's id carries the next (number, sequence).
//
// The sequence never repeats: it is kept next to the replica, so both are lost together or not at all, and a
// lost one restarts above the highest sequence of this terminal among the replica's customers — which a
// fresh replica only knows once its customers have synced: until then, and until the number is known, a
// sign-up gets a plain id (its code is derived from the id, see memberCodeOf).

const LOCAL_ID = 'member-codes';

interface MemberCodeState {
  terminalNumber: number | null;
  /** The last sequence given on this replica; null: none yet (recover from the replica's customers). */
  sequence: number | null;
}

/** The terminal's member-code allocator. */
export function createMemberCodes(input: { db: PatronDatabase; index: LookupIndex; status(): SyncStatus }) {
  const { db, index } = input;
  // One allocation at a time: two sign-ups in the same moment must not read the same sequence.
  let queue: Promise<unknown> = Promise.resolve();
  const serial = <T>(task: () => Promise<T>): Promise<T> => {
    const run = queue.then(task, task);
    queue = run.catch(() => undefined);
    return run;
  };

  async function read(): Promise<MemberCodeState> {
    const doc = await db.getLocal<MemberCodeState>(LOCAL_ID);
    return doc ? { terminalNumber: doc.get('terminalNumber') as number | null, sequence: doc.get('sequence') as number | null } : { terminalNumber: null, sequence: null };
  }

  return {
    /** Remembers the number the server gave this terminal (the same every time; a new one only after re-enrolment). */
    setTerminalNumber: (terminalNumber: number): Promise<void> =>
      serial(async () => {
        const state = await read();
        if (state.terminalNumber !== terminalNumber) await db.upsertLocal<MemberCodeState>(LOCAL_ID, { ...state, terminalNumber });
      }),
    /** The id of the next customer signed up here: carrying the next member code when that is safe. */
    nextCustomerId: (now: Date): Promise<string> =>
      serial(async () => {
        const state = await read();
        if (state.terminalNumber === null) return newId();
        if (state.sequence === null && !input.status().ready.includes('customers')) return newId();
        await index.ready;
        const sequence = Math.max(state.sequence ?? 0, index.highestSequence(state.terminalNumber)) + 1;
        await db.upsertLocal<MemberCodeState>(LOCAL_ID, { ...state, sequence });
        return memberCustomerId(state.terminalNumber, sequence, now.getTime());
      }),
  };
}

/** A terminal's member-code allocator. */
export type MemberCodes = ReturnType<typeof createMemberCodes>;

/** Asks the server for this terminal's number each time it comes online, until one answer is kept. */
export function learnTerminalNumber(status$: Observable<SyncStatus>, api: TerminalInfoApi, codes: MemberCodes): Subscription {
  let known = false;
  return status$
    .pipe(
      map((status) => status.connection === 'online'),
      distinctUntilChanged(),
      filter((online) => online && !known),
    )
    .subscribe(() => {
      // Until it answers (offline again, or an older server without the route) sign-ups get plain ids, whose
      // codes are derived from the id.
      api.terminalInfo().then(async (info) => {
        await codes.setTerminalNumber(info.terminalNumber);
        known = true;
      }).catch(() => {});
    });
}
