import { z } from 'zod';
import { SignedStaffSessionSchema, StaffKeySchema } from './staff-proof.ts';
import { IdSchema } from './common.ts';
import { CustomerGroupSchema } from './customer-group.ts';
import { CustomerSchema } from './customer.ts';
import { MAX_TERMINAL_NUMBER } from './member-code.ts';
import { ERRORS, type ErrorCode } from './errors.ts';
import { InboxItemSchema } from './inbox.ts';
import { LoyaltyEntrySchema } from './loyalty-entry.ts';
import { RewardSchema } from './reward.ts';
import { SettingsSchema } from './settings.ts';
import { StaffSchema } from './staff.ts';
import { VisitSchema } from './visit.ts';

/**
 * Version of the wire contract. Bump it with every change of a wire schema (a test snapshots their
 * JSON Schemas); the server answers 426 to clients older than MIN_PROTOCOL_VERSION.
 */
export const PROTOCOL_VERSION = 4;
/**
 * Oldest client protocol the server still accepts. Older clients read documents with strict schemas that refuse
 * what a later protocol added — protocol 2 the settings fields; protocol 3 stamp lines, the programme's stamp card,
 * reward types, the `erased` customer status, the customer profile (timeline notes, consent history) and the
 * staff written by owners; protocol 4 a customer's visits before Patron — and would write documents without the new fields or stall on a pull they cannot
 * read: they get 426 and keep their queue until they are updated (docs/protocol.md §1).
 */
export const MIN_PROTOCOL_VERSION = 4;
/** Header carrying the client's protocol version on every request. */
export const PROTOCOL_HEADER = 'x-patron-protocol';

/** Replicated collections and their document schemas. */
export const COLLECTION_SCHEMAS = {
  customers: CustomerSchema,
  visits: VisitSchema,
  loyaltyEntries: LoyaltyEntrySchema,
  rewards: RewardSchema,
  settings: SettingsSchema,
  staff: StaffSchema,
  inbox: InboxItemSchema,
  customerGroups: CustomerGroupSchema,
} as const;
/** Name of a replicated collection. */
export type CollectionName = keyof typeof COLLECTION_SCHEMAS;
/** Every collection name, in a stable order. */
export const COLLECTION_NAMES = Object.keys(COLLECTION_SCHEMAS) as CollectionName[];
/** Collection name schema. */
export const CollectionNameSchema = z.enum(COLLECTION_NAMES as [CollectionName, ...CollectionName[]]);
/**
 * Collections terminals only pull; the server owns their writes. None is left: staff are written by owners
 * (staff.ts `staffChangeProblem`), and inbox items are created by the server but managers push their
 * resolution of one (inbox.ts `inboxResolutionProblem`, docs/protocol.md §5).
 */
export const PULL_ONLY_COLLECTIONS: readonly CollectionName[] = [];
/** Collections whose documents never change after insert (except a visit's void/feedback). */
export const APPEND_ONLY_COLLECTIONS: readonly CollectionName[] = ['visits', 'loyaltyEntries'];

/** Largest pull batch the server answers; bigger requests are capped. */
export const MAX_PULL_LIMIT = 1000;
/** Largest push batch the server accepts. */
export const MAX_PUSH_ROWS = 500;

/** A server version: a non-negative Postgres bigint as a decimal string. */
const VersionSchema = z
  .string()
  .regex(/^(0|[1-9]\d{0,18})$/)
  .refine((v) => BigInt(v) <= 9_223_372_036_854_775_807n, 'beyond the bigint range');

/** Path parameters of the per-collection routes (pull, push): an unknown collection is 404 NOT_FOUND. */
export const CollectionParamsSchema = z.strictObject({ collection: CollectionNameSchema });

/** The query of a route that takes none: any parameter is refused (UNKNOWN_FIELD), never ignored. */
export const NoQuerySchema = z.strictObject({});

/** Pull checkpoint: the last server version seen, a bigint as a decimal string. */
export const CheckpointSchema = z.strictObject({ v: VersionSchema });
/** Pull checkpoint. */
export type Checkpoint = z.infer<typeof CheckpointSchema>;

/** Query of `GET /v1/pull/:collection`. */
export const PullQuerySchema = z.strictObject({
  checkpoint: VersionSchema.optional(),
  limit: z.coerce.number().int().min(1).max(100_000).optional(),
});

/** Answer of a pull: documents in version order and the checkpoint after the last. */
export const PullResponseSchema = z.strictObject({
  documents: z.array(z.record(z.string(), z.unknown())),
  checkpoint: CheckpointSchema.nullable(),
});
/** Answer of a pull. */
export type PullResponse = z.infer<typeof PullResponseSchema>;

/** One pushed row, as RxDB's replication hands it over. */
export const PushRowSchema = z.strictObject({
  newDocumentState: z.record(z.string(), z.unknown()),
  assumedMasterState: z.record(z.string(), z.unknown()).optional(),
});
/** One pushed row. */
export type PushRow = z.infer<typeof PushRowSchema>;

/** Body of `POST /v1/push/:collection`. */
export const PushRequestSchema = z.strictObject({ rows: z.array(PushRowSchema).min(1).max(MAX_PUSH_ROWS) });

/** A pushed row the server refused for good (quarantined), with the reason's error code. */
export const RejectedRowSchema = z.strictObject({ id: z.string(), code: z.string() });

/**
 * Answer of a push: the current master state of every row that was not applied, and which of those were
 * refused for good, so the client's conflict handler takes the server's state for them instead of merging
 * its own edit back in and pushing it forever (docs/architecture.md#no-poison-pills).
 */
export const PushResponseSchema = z.strictObject({
  conflicts: z.array(z.record(z.string(), z.unknown())),
  rejected: z.array(RejectedRowSchema),
});
/** Answer of a push. */
export type PushResponse = z.infer<typeof PushResponseSchema>;

/** Data-less poke: which collections changed. The data of the SSE `poke` event, and what instances relay. */
export const PokeSchema = z.strictObject({ collections: z.array(CollectionNameSchema).min(1) });
/** A poke. */
export type Poke = z.infer<typeof PokeSchema>;

/** Postgres LISTEN/NOTIFY channels between server instances (docs/protocol.md §7). */
export const NOTIFY_CHANNELS = { poke: 'patron_poke', revoke: 'patron_revoke' } as const;

/** Payload of a NOTIFY on `patron_poke`: a poke for every open stream of one merchant, on every instance. */
export const PokeNotificationSchema = z.strictObject({ merchantId: IdSchema, poke: PokeSchema });
/** A poke addressed to one merchant. */
export type PokeNotification = z.infer<typeof PokeNotificationSchema>;

/** Payload of a NOTIFY on `patron_revoke`: every instance closes the open streams of this terminal. */
export const RevocationNotificationSchema = z.strictObject({ terminalId: IdSchema });
/** A revoked terminal. */
export type RevocationNotification = z.infer<typeof RevocationNotificationSchema>;

/**
 * Answer of `GET /v1/sync/totals`: per collection, how many documents a pull from checkpoint 0 returns now
 * (every row of the merchant's feed once, tombstones included), so a fresh terminal can show its initial
 * sync as a percentage. Additive to protocol 1: older clients never call it.
 */
export const SyncTotalsSchema = z.strictObject({ documents: z.record(CollectionNameSchema, z.int().min(0)) });
/** Feed totals per collection. */
export type SyncTotals = z.infer<typeof SyncTotalsSchema>;

/** Body of `POST /v1/enrol`. */
export const EnrolRequestSchema = z.strictObject({
  code: z.string().regex(/^[A-Z0-9]{4}-[A-Z0-9]{4}$/),
  deviceName: z.string().min(1).max(100),
});
/** Answer of an enrolment: who the terminal is and its device credential (shown once). */
export const EnrolResponseSchema = z.strictObject({
  terminalId: IdSchema,
  merchantId: IdSchema,
  storeId: IdSchema,
  credential: z.string().min(32).max(200),
});
/** Answer of an enrolment. */
export type EnrolResponse = z.infer<typeof EnrolResponseSchema>;

/** Body of `POST /v1/token`: exchanges the device credential (which then rotates) for an access token. */
/** How many earlier credentials a terminal keeps, newest first (about ten days of 15-minute tokens). */
export const MAX_EARLIER_CREDENTIALS = 500;
export const TokenRequestSchema = z.strictObject({
  terminalId: IdSchema,
  credential: z.string().min(32).max(200),
  /**
   * The terminal's earlier credentials, newest first, sent only after the current one was refused as
   * unknown: a server restored from a backup knows the one that was current when the backup was taken
   * (docs/protocol.md §2).
   */
  earlier: z.array(z.string().min(32).max(200)).max(MAX_EARLIER_CREDENTIALS).optional(),
});
/** Answer of a token exchange: the access token and the next device credential. */
export const TokenResponseSchema = z.strictObject({
  accessToken: z.string().min(1),
  expiresIn: z.int().min(1),
  credential: z.string().min(32).max(200),
});
/** Answer of a token exchange. */
export type TokenResponse = z.infer<typeof TokenResponseSchema>;

/**
 * Answer of `GET /v1/terminal`: the calling terminal's number within its merchant, which it writes into the
 * member codes it assigns offline (model/member-code.ts). A route of its own, so older peers see no change.
 */
export const TerminalInfoSchema = z.strictObject({ terminalNumber: z.int().min(1).max(MAX_TERMINAL_NUMBER) });
/** Answer of `GET /v1/terminal`. */
export type TerminalInfo = z.infer<typeof TerminalInfoSchema>;

/** Most audit entries one page carries; DEFAULT_AUDIT_LIMIT when the query names none. */
export const MAX_AUDIT_LIMIT = 200;
export const DEFAULT_AUDIT_LIMIT = 50;

/** Query of `GET /v1/audit`: one customer's trail, newest first, `before` an entry id (the next page's cursor). */
export const AuditQuerySchema = z.strictObject({
  customerId: IdSchema,
  before: VersionSchema.optional(),
  limit: z.coerce.number().int().min(1).max(MAX_AUDIT_LIMIT).optional(),
});

/**
 * One line of the audit trail (docs/security.md#audit-trail): a write the server accepted or refused, who
 * made it (the staff member the document names and the terminal of the token; actor `system` for a
 * server-made change, which has no terminal), when (the server's time and the business time the device
 * stated) and the top-level fields it changed against the stored document.
 */
export const AuditEntrySchema = z.strictObject({
  id: VersionSchema,
  collection: CollectionNameSchema,
  documentId: z.string().nullable(),
  customerId: z.string().nullable(),
  /** The feed version the write got; null for a refused one. */
  version: VersionSchema.nullable(),
  outcome: z.enum(['accepted', 'refused']),
  refusalCode: z.string().nullable(),
  actor: z.enum(['staff', 'system']),
  staffId: z.string().nullable(),
  terminalId: z.string().nullable(),
  terminalName: z.string().nullable(),
  serverTime: z.iso.datetime(),
  businessTime: z.string().nullable(),
  fields: z.array(z.string()),
});
/** One line of the audit trail. */
export type AuditEntry = z.infer<typeof AuditEntrySchema>;

/** Answer of `GET /v1/audit`: entries newest first, and the `before` of the next page (null on the last). */
export const AuditPageSchema = z.strictObject({ entries: z.array(AuditEntrySchema), before: VersionSchema.nullable() });
/** A page of the audit trail. */
export type AuditPage = z.infer<typeof AuditPageSchema>;

/** Answer of `GET /v1/demo`: whether this caller may take the one-click demo enrolment. */
export const DemoAvailabilitySchema = z.strictObject({ available: z.boolean() });

/** Answer of `POST /v1/demo/enrolment-code`: a fresh one-time code for the demo store and when it expires. */
export const DemoEnrolmentCodeSchema = z.strictObject({ code: EnrolRequestSchema.shape.code, expiresAt: z.iso.datetime() });
/** A demo enrolment code. */
export type DemoEnrolmentCode = z.infer<typeof DemoEnrolmentCodeSchema>;

/**
 * Header of the manager routes (devices): the staff member acting on this terminal. The server checks that
 * they are an active manager or owner of the token's merchant allowed at the terminal's store.
 */
export const STAFF_HEADER = 'x-patron-staff';

/** One enrolled device of the merchant, as the Devices page lists it. */
export const DeviceSchema = z.strictObject({
  terminalId: IdSchema,
  number: z.int().min(1).max(MAX_TERMINAL_NUMBER),
  name: z.string().max(100),
  storeId: IdSchema,
  storeName: z.string().max(100),
  enrolledAt: z.iso.datetime(),
  lastSeenAt: z.iso.datetime().nullable(),
  revokedAt: z.iso.datetime().nullable(),
  /** Whether this is the device asking. */
  current: z.boolean(),
});
/** An enrolled device. */
export type Device = z.infer<typeof DeviceSchema>;
/** Answer of `GET /v1/devices`: the merchant's devices in enrolment order. */
export const DeviceListSchema = z.strictObject({ devices: z.array(DeviceSchema) });
/** Answer of `GET /v1/devices`. */
export type DeviceList = z.infer<typeof DeviceListSchema>;
/** Path parameters of `POST /v1/devices/:terminalId/revoke`. */
export const DeviceParamsSchema = z.strictObject({ terminalId: IdSchema });
/** Answer of a revocation. */
export const DeviceRevokedSchema = z.strictObject({ terminalId: IdSchema, revokedAt: z.iso.datetime() });
/** Body of `POST /v1/devices/enrolment-code`: the store the new device will belong to. */
export const DeviceCodeRequestSchema = z.strictObject({ storeId: IdSchema });
/**
 * Answer of `POST /v1/devices/enrolment-code`: a one-time code for that store, and the server's addresses on
 * the local network (empty when it listens on this machine only) for a manager who reaches it as localhost.
 */
export const DeviceCodeSchema = z.strictObject({
  code: EnrolRequestSchema.shape.code,
  storeId: IdSchema,
  expiresAt: z.iso.datetime(),
  networkUrls: z.array(z.string().max(200)).max(8),
});
/** A one-time enrolment code for a new device. */
export type DeviceCode = z.infer<typeof DeviceCodeSchema>;

/** Every error answer: a code, English and Persian messages, optional details (seed 001's shape). */
export const ErrorBodySchema = z.strictObject({
  error: z.strictObject({
    code: z.string().min(1),
    message: z.string(),
    messageFa: z.string(),
    details: z.record(z.string(), z.string()).optional(),
    requestId: z.string().optional(),
  }),
});
/** An error answer. */
export type ErrorBody = z.infer<typeof ErrorBodySchema>;

/** Builds the error body for a code. */
export function errorBody(code: ErrorCode, details?: Record<string, string>, requestId?: string): ErrorBody {
  const [message, messageFa] = ERRORS[code];
  return { error: { code, message, messageFa, ...(details ? { details } : {}), ...(requestId ? { requestId } : {}) } };
}

/** Answer of `GET /v1/staff-keys`: every member's public key and PIN-sealed signing key (docs/security.md#staff-proof). */
export const StaffKeysResponseSchema = z.strictObject({ keys: z.array(StaffKeySchema).max(10_000) });
/** Answer of `POST /v1/staff-sessions`: the signed session was verified and recorded. */
export const StaffSessionRecordedSchema = z.strictObject({ recorded: z.literal(true) });
/** The members' keys. */
export type StaffKeysResponse = z.infer<typeof StaffKeysResponseSchema>;

/** Wire schemas whose JSON Schema is snapshotted by the contract guard test. */
export const WIRE_SCHEMAS = {
  ...COLLECTION_SCHEMAS,
  CollectionParams: CollectionParamsSchema,
  NoQuery: NoQuerySchema,
  Checkpoint: CheckpointSchema,
  PullQuery: PullQuerySchema,
  PullResponse: PullResponseSchema,
  PushRow: PushRowSchema,
  PushRequest: PushRequestSchema,
  RejectedRow: RejectedRowSchema,
  PushResponse: PushResponseSchema,
  Poke: PokeSchema,
  PokeNotification: PokeNotificationSchema,
  RevocationNotification: RevocationNotificationSchema,
  SyncTotals: SyncTotalsSchema,
  EnrolRequest: EnrolRequestSchema,
  EnrolResponse: EnrolResponseSchema,
  TokenRequest: TokenRequestSchema,
  TokenResponse: TokenResponseSchema,
  TerminalInfo: TerminalInfoSchema,
  AuditQuery: AuditQuerySchema,
  AuditEntry: AuditEntrySchema,
  AuditPage: AuditPageSchema,
  DemoAvailability: DemoAvailabilitySchema,
  DemoEnrolmentCode: DemoEnrolmentCodeSchema,
  ErrorBody: ErrorBodySchema,
  StaffKey: StaffKeySchema,
  StaffKeysResponse: StaffKeysResponseSchema,
  SignedStaffSession: SignedStaffSessionSchema,
  StaffSessionRecorded: StaffSessionRecordedSchema,
  Device: DeviceSchema,
  DeviceList: DeviceListSchema,
  DeviceParams: DeviceParamsSchema,
  DeviceRevoked: DeviceRevokedSchema,
  DeviceCodeRequest: DeviceCodeRequestSchema,
  DeviceCode: DeviceCodeSchema,
} as const;
