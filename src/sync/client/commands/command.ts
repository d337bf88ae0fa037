import type { z } from 'zod';
import type { Role } from '../../model/common.ts';
import { FIELD_PROBLEMS, type FieldProblem } from '../../model/errors.ts';
import { isPatronError, type ErrorCode } from '../../model/errors.ts';
import type { Staff } from '../../model/staff.ts';
import type { CommandEnv } from './env.ts';

// Every write the terminal's UI makes is a command (Actual's loot-core handler map, Replicache's mutators):
// input parsed with the model's zod schemas, the signed-in staff member's role checked, and a typed result
// instead of an exception for anything a person can cause. The UI translates `error.key`; `fields` holds the
// key of each refused form field.

/** Why a command refused: a code with its message key, and per-field keys for form errors. */
export interface CommandError {
  code: ErrorCode;
  /** i18n key of the message (`common:errors.<code>`). */
  key: string;
  /** i18n keys of refused input fields (`common:fields.<problem>`), by field path. */
  fields?: Record<string, string>;
  /** Values the message interpolates (limits, counts), already plain strings. */
  details?: Record<string, string>;
}

/** What a command returns: its value, or why it refused. */
export type CommandResult<T> = { ok: true; value: T } | { ok: false; error: CommandError };

/** A refusal a command raises from inside its run; the runner turns it into a result. */
export class CommandRefusal extends Error {
  override readonly name = 'CommandRefusal';
  constructor(
    readonly code: ErrorCode,
    readonly fields?: Record<string, string>,
    readonly details?: Record<string, string>,
  ) {
    super(code);
  }
}

/** The message key of a code. */
export function errorKey(code: string): string {
  return `common:errors.${code}`;
}

/** The message key of a field problem. */
export function fieldKey(problem: FieldProblem): string {
  return `common:fields.${problem}`;
}

/** Refuses with `code` (and optionally per-field problems). */
export function refuse(code: ErrorCode, fields?: Record<string, FieldProblem>, details?: Record<string, string>): never {
  const keys = fields ? Object.fromEntries(Object.entries(fields).map(([field, problem]) => [field, fieldKey(problem)])) : undefined;
  throw new CommandRefusal(code, keys, details);
}

/** A command's definition: its input schema, the least role that may run it, and what it does. */
export interface CommandSpec<S extends z.ZodType, T> {
  /** The input's schema, or a function of the terminal when its rules depend on the settings (phone region). */
  input: S | ((env: CommandEnv) => S);
  role: Role;
  run(env: CommandEnv, input: z.output<S>, staff: Staff): Promise<T>;
}

/** Defines a command (keeps the input and result types tied together). */
export function command<S extends z.ZodType, T>(spec: CommandSpec<S, T>): CommandSpec<S, T> {
  return spec;
}

const RANK: Record<Role, number> = { cashier: 0, manager: 1, owner: 2 };

/** Whether `role` may do what `least` may. */
export function roleAllows(role: Role, least: Role): boolean {
  return RANK[role] >= RANK[least];
}

function issueFields(error: z.ZodError): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const issue of error.issues) {
    const path = issue.path.join('.') || '(input)';
    if (path in fields) continue;
    const problem = FIELD_PROBLEMS.find((known) => known === issue.message) ?? 'INVALID';
    fields[path] = fieldKey(problem);
  }
  return fields;
}

function failure(code: ErrorCode, fields?: Record<string, string>, details?: Record<string, string>): CommandResult<never> {
  return { ok: false, error: { code, key: errorKey(code), ...(fields ? { fields } : {}), ...(details ? { details } : {}) } };
}

/**
 * Runs a command: parse, role check, run. Expected refusals come back as results; a failure of the storage
 * itself (a write IndexedDB refused) is `WRITE_FAILED`, reported to `onUnexpected` so it is not lost.
 */
export async function runCommand<S extends z.ZodType, T>(
  env: CommandEnv,
  spec: CommandSpec<S, T>,
  raw: unknown,
  onUnexpected: (error: unknown) => void,
): Promise<CommandResult<T>> {
  const staff = env.session.current();
  if (!staff) return failure('NOT_SIGNED_IN');
  if (!roleAllows(staff.role, spec.role)) return failure('FORBIDDEN');
  const schema = typeof spec.input === 'function' ? spec.input(env) : spec.input;
  const parsed = schema.safeParse(raw);
  if (!parsed.success) return failure('VALIDATION_FAILED', issueFields(parsed.error));
  try {
    return { ok: true, value: await spec.run(env, parsed.data, staff) };
  } catch (error) {
    if (error instanceof CommandRefusal) return failure(error.code, error.fields, error.details);
    if (isPatronError(error)) return failure(error.code);
    onUnexpected(error);
    return failure('WRITE_FAILED');
  }
}
