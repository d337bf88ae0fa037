import type { z } from 'zod';
import {
  AuditPageSchema,
  AuditQuerySchema,
  CollectionParamsSchema,
  DemoAvailabilitySchema,
  DemoEnrolmentCodeSchema,
  DeviceCodeRequestSchema,
  DeviceCodeSchema,
  DeviceListSchema,
  DeviceParamsSchema,
  DeviceRevokedSchema,
  EnrolRequestSchema,
  EnrolResponseSchema,
  NoQuerySchema,
  PullQuerySchema,
  PullResponseSchema,
  PushRequestSchema,
  PushResponseSchema,
  StaffKeysResponseSchema,
  StaffSessionRecordedSchema,
  SyncTotalsSchema,
  TerminalInfoSchema,
  TokenRequestSchema,
  TokenResponseSchema,
} from './wire-protocol.ts';
import { SignedStaffSessionSchema } from './staff-proof.ts';

/** One route of the sync server: its method, its path, and the schemas of what crosses it. */
export interface RouteSpec {
  readonly method: 'GET' | 'POST';
  /** Fastify's path syntax: `:name` is a path parameter. */
  readonly path: string;
  readonly params?: z.ZodType;
  readonly querystring?: z.ZodType;
  readonly body?: z.ZodType;
  /** The answer of a success (200). Error answers are ErrorBodySchema on every route. */
  readonly response?: z.ZodType;
}

/** Prefix of the versioned API: every route under it requires the protocol header (docs/protocol.md §1). */
export const API_PREFIX = '/v1/';

/**
 * Every route of the sync server, defined once: the server registers them from here (with these schemas) and
 * the client builds its URLs from here (`routePath`). docs/protocol.md describes each.
 */
export const ROUTES = {
  enrol: { method: 'POST', path: `${API_PREFIX}enrol`, body: EnrolRequestSchema, response: EnrolResponseSchema },
  token: { method: 'POST', path: `${API_PREFIX}token`, body: TokenRequestSchema, response: TokenResponseSchema },
  pull: { method: 'GET', path: `${API_PREFIX}pull/:collection`, params: CollectionParamsSchema, querystring: PullQuerySchema, response: PullResponseSchema },
  push: { method: 'POST', path: `${API_PREFIX}push/:collection`, params: CollectionParamsSchema, body: PushRequestSchema, response: PushResponseSchema },
  totals: { method: 'GET', path: `${API_PREFIX}sync/totals`, querystring: NoQuerySchema, response: SyncTotalsSchema },
  terminal: { method: 'GET', path: `${API_PREFIX}terminal`, querystring: NoQuerySchema, response: TerminalInfoSchema },
  staffKeys: { method: 'GET', path: `${API_PREFIX}staff-keys`, querystring: NoQuerySchema, response: StaffKeysResponseSchema },
  staffSessions: { method: 'POST', path: `${API_PREFIX}staff-sessions`, body: SignedStaffSessionSchema, response: StaffSessionRecordedSchema },
  audit: { method: 'GET', path: `${API_PREFIX}audit`, querystring: AuditQuerySchema, response: AuditPageSchema },
  /** Server-Sent Events; each `poke` event's data is a PokeSchema. */
  stream: { method: 'GET', path: `${API_PREFIX}stream` },
  demo: { method: 'GET', path: `${API_PREFIX}demo`, response: DemoAvailabilitySchema },
  demoEnrolmentCode: { method: 'POST', path: `${API_PREFIX}demo/enrolment-code`, response: DemoEnrolmentCodeSchema },
  /** Manager routes: the acting staff member in STAFF_HEADER (docs/security.md). */
  devices: { method: 'GET', path: `${API_PREFIX}devices`, querystring: NoQuerySchema, response: DeviceListSchema },
  revokeDevice: { method: 'POST', path: `${API_PREFIX}devices/:terminalId/revoke`, params: DeviceParamsSchema, response: DeviceRevokedSchema },
  deviceCode: { method: 'POST', path: `${API_PREFIX}devices/enrolment-code`, body: DeviceCodeRequestSchema, response: DeviceCodeSchema },
  health: { method: 'GET', path: '/health' },
  ready: { method: 'GET', path: '/ready' },
  metrics: { method: 'GET', path: '/metrics' },
} as const satisfies Record<string, RouteSpec>;

/** The names of a path's `:parameters`. */
type ParamNames<P extends string> = P extends `${string}:${infer Name}/${infer Rest}` ? Name | ParamNames<Rest> : P extends `${string}:${infer Name}` ? Name : never;

/** A route's path with its parameters filled in (URI-encoded), e.g. `/v1/pull/customers`. */
export function routePath<P extends string>(route: { readonly path: P }, params: Record<ParamNames<P>, string>): string {
  return route.path.replace(/:([A-Za-z]+)/g, (_match, name: string) => encodeURIComponent((params as Record<string, string>)[name] ?? ''));
}
