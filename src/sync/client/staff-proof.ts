import { DAY_MS } from '../model/dates.ts';
import { newId } from '../model/ids.ts';
import { signSession, SignedStaffSessionSchema, StaffKeySchema, unsealStaffKey, type SignedStaffSession, type SigningKey, type StaffKey } from '../model/staff-proof.ts';
import type { StaffProofApi } from './api.ts';
import { SyncError } from './errors.ts';
import type { KeyValueStore } from './key-value.ts';

// The terminal's half of the staff proof (docs/security.md#staff-proof). The members' sealed keys are kept
// here so a PIN can open one offline; a sign-in or an approval signs a session that is queued (kept across
// restarts) and handed to the server before any push, so the server has it before the writes it covers.

/** What a member's PIN opened: a signed session on this terminal, which `end` shortens to now (sign-out). */
export interface ProofSession {
  readonly signed: SignedStaffSession;
  end(): Promise<void>;
}

/** The staff proof as the session and the replication use it. */
export interface StaffProof {
  /**
   * Opens the member's key with `pin` and signs a session of `lengthMs`, or says why it could not. `known` is
   * the key the member's staff document carries, if any (a member an owner added or re-keyed on a terminal).
   */
  begin(staffId: string, pin: string, lengthMs: number, known?: StaffKey | null): Promise<ProofSession | 'KEY_MISSING' | 'PIN_INVALID'>;
  /**
   * Hands queued sessions to the server; throws when it cannot be reached (a push would fail too), and
   * `MemberNotArrived` when a session's member is not on the server yet (see `PENDING_MEMBER_MS`).
   */
  flush(): Promise<void>;
  /** Fetches the members' keys (after a staff change or on start); keeps the old ones when offline. */
  refreshKeys(): Promise<void>;
  /**
   * Queues again the sessions recorded in the last KEEP_RECORDED_MS: a server restored from a backup lost the
   * ones recorded after it, and the writes this terminal pushes again need them.
   */
  replay(): void;
}

/**
 * How long a session whose member the server does not know yet (404) waits in the queue: an owner's terminal
 * can hand in a new member's first session before its push of the member's staff document lands, which the
 * staff push, not blocked by it, brings a moment later. A member that never arrives is dropped after this.
 */
export const PENDING_MEMBER_MS = 2 * 60 * 1000;

/** Thrown by `flush` while some session waits for its member's staff document to reach the server. */
export class MemberNotArrived extends Error {
  override readonly name = 'MemberNotArrived';
}

/** How long a recorded session is kept for a replay after a restore (backups are taken daily at most). */
export const KEEP_RECORDED_MS = 14 * DAY_MS;

/** Creates the proof of one terminal; `onRefused` hears a session the server refused (it will not be retried). */
export function createStaffProof(input: {
  api: StaffProofApi;
  memory: KeyValueStore | undefined;
  identity: { merchantId: string; terminalId: string };
  now: () => Date;
  onRefused: (error: unknown) => void;
}): StaffProof {
  const keysKey = `patron.staffKeys.${input.identity.terminalId}`;
  const queueKey = `patron.staffSessions.${input.identity.terminalId}`;
  const keys = new Map<string, StaffKey>(readList(input.memory, keysKey, StaffKeySchema.safeParse).map((key) => [key.staffId, key]));
  const recordedKey = `patron.staffSessionsRecorded.${input.identity.terminalId}`;
  let queue = readList(input.memory, queueKey, SignedStaffSessionSchema.safeParse);
  let recorded = readList(input.memory, recordedKey, SignedStaffSessionSchema.safeParse);
  let flushing: Promise<void> | null = null;

  const save = () => {
    writeValue(input.memory, queueKey, queue);
    writeValue(input.memory, recordedKey, recorded);
  };
  const enqueue = (signed: SignedStaffSession) => {
    // A sign-out's shorter session replaces the longer one, queued or kept: only the real window stays.
    queue = [...queue.filter((s) => s.session.id !== signed.session.id), signed];
    recorded = recorded.filter((s) => s.session.id !== signed.session.id);
    save();
  };
  const keep = (signed: SignedStaffSession) => {
    const since = input.now().getTime() - KEEP_RECORDED_MS;
    recorded = [...recorded.filter((s) => s.session.id !== signed.session.id && Date.parse(s.session.endsAt) > since), signed];
  };

  async function sign(key: SigningKey, staffId: string, startsAt: Date, endsAt: Date, id = newId()): Promise<SignedStaffSession> {
    const session = { id, merchantId: input.identity.merchantId, terminalId: input.identity.terminalId, staffId, startsAt: startsAt.toISOString(), endsAt: endsAt.toISOString() };
    return signSession(key, session);
  }

  // When each waiting session first met a 404 (in memory: a restart gives a member more time, never less).
  const waitingSince = new Map<string, number>();
  const awaitsMember = (error: unknown, signed: SignedStaffSession): boolean => {
    if (!(error instanceof SyncError) || error.status !== 404) return false;
    const since = waitingSince.get(signed.session.id) ?? input.now().getTime();
    waitingSince.set(signed.session.id, since);
    return input.now().getTime() - since < PENDING_MEMBER_MS;
  };

  async function flushQueue(): Promise<void> {
    let waiting = false;
    for (const signed of [...queue]) {
      try {
        await input.api.recordStaffSession(signed);
        keep(signed);
      } catch (error) {
        if (awaitsMember(error, signed)) {
          waiting = true;
          continue;
        }
        // Unreachable or failing server: keep it for the next push. A refusal is final (a forged, inactive or
        // re-keyed member's session): drop it so it cannot block the queue; the writes it covered are refused
        // and shown as set aside.
        if (!(error instanceof SyncError) || error.failure !== 'server' || (error.status ?? 500) >= 500) throw error;
        input.onRefused(error);
      }
      waitingSince.delete(signed.session.id);
      queue = queue.filter((s) => s !== signed);
      save();
    }
    if (waiting) throw new MemberNotArrived('a signed session waits for its member to reach the server');
  }

  // One flush at a time: every collection's push waits on the same one.
  const flush = (): Promise<void> => (flushing ??= flushQueue().finally(() => (flushing = null)));

  return {
    async begin(staffId, pin, lengthMs, known) {
      const key = known ?? keys.get(staffId);
      if (!key) return 'KEY_MISSING';
      const privateKey = await unsealStaffKey(key, pin);
      if (!privateKey) return 'PIN_INVALID';
      const startsAt = input.now();
      const signed = await sign(privateKey, staffId, startsAt, new Date(startsAt.getTime() + lengthMs));
      enqueue(signed);
      // Handed in at once when online (a push would do it anyway, first); offline it waits in the queue.
      const handIn = () => void flush().catch(() => undefined);
      handIn();
      return {
        signed,
        async end() {
          const endsAt = input.now();
          if (endsAt.getTime() >= Date.parse(signed.session.endsAt)) return;
          enqueue(await sign(privateKey, staffId, startsAt, endsAt, signed.session.id));
          handIn();
        },
      };
    },
    flush,
    replay() {
      const queued = new Set(queue.map((s) => s.session.id));
      queue = [...recorded.filter((s) => !queued.has(s.session.id)), ...queue];
      recorded = [];
      save();
    },
    async refreshKeys() {
      const fetched = await input.api.staffKeys();
      keys.clear();
      for (const key of fetched.keys) keys.set(key.staffId, key);
      writeValue(input.memory, keysKey, fetched.keys);
    },
  };
}

function readList<T>(memory: KeyValueStore | undefined, key: string, parse: (value: unknown) => { success: true; data: T } | { success: false }): T[] {
  try {
    const raw = JSON.parse(memory?.getItem(key) ?? '[]') as unknown;
    if (!Array.isArray(raw)) return [];
    return raw.flatMap((item) => {
      const parsed = parse(item);
      return parsed.success ? [parsed.data] : [];
    });
  } catch {
    return [];
  }
}

function writeValue(memory: KeyValueStore | undefined, key: string, value: unknown): void {
  try {
    memory?.setItem(key, JSON.stringify(value));
  } catch {
    // Storage full or disabled: the value lives in memory until the next restart.
  }
}
