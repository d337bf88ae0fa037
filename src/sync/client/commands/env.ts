import type { WriteContext } from '../../model/document-builders.ts';
import type { Settings } from '../../model/settings.ts';
import type { Staff } from '../../model/staff.ts';
import type { Session } from '../session.ts';
import type { PatronDatabase } from '../database.ts';
import type { Journal } from '../journal.ts';
import type { LedgerIndex } from '../ledger-index.ts';
import type { MergeIndex } from '../merge-index.ts';
import type { SyncStatus } from '../status.ts';

/** Who this terminal is: fixed by its enrolment. */
export interface TerminalIdentity {
  merchantId: string;
  storeId: string;
  terminalId: string;
}

/** What commands work with: the replica, the signed-in member, the terminal's derived reads and its clock. */
export interface CommandEnv {
  db: PatronDatabase;
  identity: TerminalIdentity;
  session: Pick<Session, 'current' | 'check'>;
  status(): SyncStatus;
  /** Keys `collection:id` of local writes the server has not acknowledged yet. */
  pending(): ReadonlySet<string>;
  settings(): Settings;
  ledger: LedgerIndex;
  merges: MergeIndex;
  journal: Journal;
  now(): Date;
  /** Asks the server whether it answers right now (a short request; false offline or on any failure). */
  probe(): Promise<boolean>;
  /** The id of a customer signed up now, carrying this terminal's next member code when it can (member-codes.ts). */
  newCustomerId(): Promise<string>;
  /** Waits up to `ms` for every local write to be acknowledged by the server; whether they all were. */
  settled(ms: number): Promise<boolean>;
}

/** Whether the server has answered a request lately (the status says so until a request fails). */
export function isOnline(env: Pick<CommandEnv, 'status'>): boolean {
  return env.status().connection === 'online';
}

/** The context of a write made now by `staff` at this terminal. */
export function writeContext(env: CommandEnv, staff: Staff): WriteContext {
  return {
    ...env.identity,
    staffId: staff.id,
    now: env.now().toISOString(),
    offline: !isOnline(env),
  };
}
