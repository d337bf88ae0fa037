import { parse as parseUuid, stringify as stringifyUuid } from 'uuid';
import { toAsciiDigits } from './text.ts';

// Member codes (docs/directory.md): a short customer number a regular can show and a scanner can
// type, unique per merchant, assigned by offline terminals without asking anyone.
//
// A code is `T-SSSSC`: T is the terminal's number (given once by the server at enrolment, unique per
// merchant, never reused), SSSS its own sign-up sequence (4 digits or more), C a Damm check digit over the
// digits (catches every single-digit typo and every swap of neighbours). Two terminals never share T and one
// terminal never repeats S, so two customers never share a code — by construction, with no coordination.
//
// The code is not a field: it is written into the customer's id, which is already the replicated, immutable,
// merge-safe identity every terminal and the server agree on. An id minted for a sign-up is a UUID version 8
// whose first 48 bits are the time (ordered like UUIDv7), marked as Patron's layout, and whose last 62 bits
// hold T and S. Customers whose id carries no code (signed up before codes, or by a terminal that did not yet
// know its number) get a derived code `0-<12 digits>C` from the id's random bits: deterministic on every
// terminal, never equal to an assigned code (T = 0 is never given), unique with high probability
// (≈ n²/2·10¹² collisions), and a lookup that meets a shared derived code lists every holder, never one.

/** Marks an id as carrying a member code (the 12 "rand_a" bits of a version-8 UUID). */
const LAYOUT_MARK = 0x3c7;
/** Bits of the terminal number and of the sequence in the id's last 62 bits. */
const TERMINAL_BITS = 22n;
const SEQUENCE_BITS = 40n;
/** Largest terminal number and sequence an id can carry. */
export const MAX_TERMINAL_NUMBER = Number((1n << TERMINAL_BITS) - 1n);
export const MAX_SEQUENCE = Number((1n << SEQUENCE_BITS) - 1n);
/** The sequence is written with at least this many digits, so codes keep one length for a long time. */
const SEQUENCE_DIGITS = 4;
/** Digits of a derived (legacy) code's number. */
const DERIVED_DIGITS = 12;

/** Damm's quasigroup of order 10 (Damm 2004): the check digit makes the running interim 0. */
const DAMM = [
  [0, 3, 1, 7, 5, 9, 8, 6, 4, 2],
  [7, 0, 9, 2, 1, 5, 4, 8, 6, 3],
  [4, 2, 0, 6, 8, 7, 1, 3, 5, 9],
  [1, 7, 5, 0, 9, 8, 3, 4, 2, 6],
  [6, 1, 2, 3, 0, 4, 5, 9, 7, 8],
  [3, 6, 7, 4, 2, 0, 9, 5, 8, 1],
  [5, 8, 6, 9, 7, 2, 0, 1, 3, 4],
  [8, 9, 4, 5, 3, 6, 2, 0, 1, 7],
  [9, 4, 3, 8, 6, 1, 7, 2, 0, 5],
  [2, 5, 8, 1, 4, 3, 6, 7, 9, 0],
] as const;

/** The Damm check digit of a string of digits. */
export function dammDigit(digits: string): number {
  let interim = 0;
  for (const d of digits) interim = DAMM[interim]![Number(d)]!;
  return interim;
}

function format(terminal: string, number: string): string {
  return `${terminal}-${number}${dammDigit(terminal + number)}`;
}

/** The code of terminal `terminal`'s sign-up number `sequence`. */
export function memberCode(terminal: number, sequence: number): string {
  return format(String(terminal), String(sequence).padStart(SEQUENCE_DIGITS, '0'));
}

/** A customer id carrying terminal `terminal`'s sign-up `sequence`, minted at `now` (epoch ms). */
export function memberCustomerId(terminal: number, sequence: number, now: number): string {
  if (!Number.isInteger(terminal) || terminal < 1 || terminal > MAX_TERMINAL_NUMBER) throw new RangeError(`terminal number ${terminal}`);
  if (!Number.isInteger(sequence) || sequence < 1 || sequence > MAX_SEQUENCE) throw new RangeError(`sequence ${sequence}`);
  const bytes = new Uint8Array(16);
  let time = BigInt(now);
  for (let i = 5; i >= 0; i--, time >>= 8n) bytes[i] = Number(time & 0xffn);
  bytes[6] = 0x80 | (LAYOUT_MARK >> 8);
  bytes[7] = LAYOUT_MARK & 0xff;
  let tail = (BigInt(terminal) << SEQUENCE_BITS) | BigInt(sequence);
  for (let i = 15; i >= 8; i--, tail >>= 8n) bytes[i] = Number(tail & 0xffn);
  bytes[8] = 0x80 | (bytes[8]! & 0x3f); // RFC 9562 variant (the top bits of T are 0, so nothing is lost)
  return stringifyUuid(bytes);
}

/** The terminal number and sequence an id carries, or null for an id without a code. */
export function codeInId(id: string): { terminal: number; sequence: number } | null {
  let bytes: Uint8Array;
  try {
    bytes = parseUuid(id);
  } catch {
    return null;
  }
  if (bytes[6]! >> 4 !== 8 || (((bytes[6]! & 0x0f) << 8) | bytes[7]!) !== LAYOUT_MARK) return null;
  let tail = BigInt(bytes[8]! & 0x3f);
  for (let i = 9; i < 16; i++) tail = (tail << 8n) | BigInt(bytes[i]!);
  return { terminal: Number(tail >> SEQUENCE_BITS), sequence: Number(tail & ((1n << SEQUENCE_BITS) - 1n)) };
}

/** The member code of a customer: the one its id carries, or the one derived from its id. */
export function memberCodeOf(customerId: string): string {
  const carried = codeInId(customerId);
  if (carried) return memberCode(carried.terminal, carried.sequence);
  const hex = customerId.replace(/-/g, '').slice(-12);
  const number = /^[0-9a-f]{12}$/.test(hex) ? BigInt(`0x${hex}`) % 10n ** BigInt(DERIVED_DIGITS) : 0n;
  return format('0', String(number).padStart(DERIVED_DIGITS, '0'));
}

/**
 * What the cashier typed as a code, normalised (Persian digits, any dash, spaces dropped) — a prefix while
 * it is typed (`7-00`): null when the text cannot be the start of a code.
 */
export function memberCodeQuery(typed: string): string | null {
  const text = toAsciiDigits(typed).replace(/[\u2010-\u2015\u2212\u06d4]/g, '-').replace(/\s+/g, '');
  return /^\d{1,7}-\d*$/.test(text) ? text : null;
}

/** Whether a normalised code is complete and its check digit holds. */
export function isCompleteMemberCode(code: string): boolean {
  const match = /^(\d{1,7})-(\d{5,17})$/.exec(code);
  return match !== null && dammDigit(match[1]! + match[2]!) === 0;
}
