import type { MessagePort } from 'node:worker_threads';
import type { DeviceCredential } from '../../src/sync/client/auth.ts';
import type { SyncStatus } from '../../src/sync/client/status.ts';
import type { CollectionName } from '../../src/sync/model/wire-protocol.ts';

// The contract between the harness (main thread) and a terminal worker. Kept to plain JSON-able data: it
// crosses a worker boundary by structured clone.

/** Customer fields the suite edits (and checks for silent loss). */
export const EDITED_FIELDS = ['name', 'email', 'tags', 'birthday'] as const;
export type EditedField = (typeof EDITED_FIELDS)[number];

/** What the harness asks a terminal's cashier (or manager) to do at the counter. */
export type CounterOp =
  | { kind: 'createCustomer'; phone: string; name: string; email: string | null; tags: string[]; birthday: string | null; notes: string }
  | { kind: 'editCustomer'; pick: number; changes: Partial<{ name: string; email: string | null; tags: string[]; birthday: string | null }>; notesAppend: string | null }
  | { kind: 'deleteCustomer'; pick: number }
  | { kind: 'recordVisit'; pick: number; amount: number }
  | { kind: 'redeem'; pick: number; fraction: number }
  | { kind: 'voidVisit'; pick: number; reason: string };

/** One field value written by an edit (or a sign-up), with the value the terminal saw before it. */
export interface FieldWrite {
  customerId: string;
  field: EditedField;
  value: unknown;
  /** The terminal's local value just before the write (undefined for a sign-up). */
  prev: unknown;
  /** Business time of the write (the terminal's clock). */
  at: string;
}

/** A ledger line as the model keeps it. */
export interface ModelEntry {
  id: string;
  customerId: string;
  kind: string;
  points: number;
  occurredAt: string;
  visitId: string | null;
}

/** What an operation did, for the model and the trace. */
export interface OpResult {
  summary: string;
  skipped?: string;
  customers?: { id: string; phone: string }[];
  writes?: FieldWrite[];
  notes?: { customerId: string; token: string }[];
  deleted?: string[];
  visits?: { id: string; customerId: string; occurredAt: string }[];
  voided?: string[];
  entries?: ModelEntry[];
}

/** Network conditions of one terminal (its fetch). */
export interface NetCommand {
  online?: boolean;
  /** Perform the next `count` requests of these routes, then throw instead of returning the answer. */
  lose?: { count: number; routes: ('push' | 'pull' | 'token')[] };
  /** Send the next `count` pushes `copies` times (at once or one after another). */
  duplicate?: { count: number; copies: number; parallel: boolean };
  /** Random extra delay per request, in ms. */
  latencyMs?: [number, number];
}

/** Counters the terminal's fetch keeps (for the summary). */
export interface NetStats {
  requests: number;
  lost: number;
  duplicated: number;
  refusedOffline: number;
  byStatus: Record<string, number>;
}

/** A replica as compared: per collection, id → canonical JSON of the document (tombstones included). */
export type Dump = Record<CollectionName, Record<string, string>>;

export type WorkerRequest =
  | { id: number; cmd: 'op'; op: CounterOp }
  | { id: number; cmd: 'net'; net: NetCommand }
  | { id: number; cmd: 'sync'; timeoutMs: number }
  | { id: number; cmd: 'dump' }
  | { id: number; cmd: 'status' }
  | { id: number; cmd: 'stop' };

export type WorkerMessage =
  | { type: 'answer'; id: number; ok: true; value: unknown }
  | { type: 'answer'; id: number; ok: false; error: string }
  | { type: 'credential'; ack: number; credential: DeviceCredential }
  | { type: 'ready'; credential: DeviceCredential }
  | { type: 'fatal'; error: string };

export type HostMessage = { type: 'begin' } | { type: 'credential-ack'; ack: number } | ({ type: 'request' } & WorkerRequest);

/** What `status` answers. */
export interface TerminalReport {
  status: SyncStatus;
  net: NetStats;
  online: boolean;
}

/** workerData of a terminal worker. */
export interface TerminalInit {
  /** Module to run (the bootstrap registers tsx, then imports it). */
  entry: string;
  name: string;
  dbName: string;
  serverUrl: string;
  /** Device clock offset (F4): the worker's whole `Date` runs this far ahead (or behind). */
  skewMs: number;
  code: string | null;
  credential: DeviceCredential | null;
  storagePort: MessagePort;
  merchantId: string;
  storeId: string;
  cashierId: string;
  managerId: string;
  online: boolean;
}
