// Postgres `text` cannot hold NUL, and `jsonb` refuses NUL and lone surrogates. A pushed document carrying
// one must be quarantined like any other unacceptable row, never fail the batch (docs/architecture.md#no-poison-pills).

// JSON.stringify writes NUL and lone surrogates as escapes (paired surrogates stay literal); an even run of
// backslashes before `\u` is escaped text, not an escape.
const UNSTORABLE = /(?<!\\)(?:\\\\)*\\u(?:0000|d[89a-f][0-9a-f]{2})/i;

/** Whether a JSON value contains text Postgres cannot store. */
export function hasUnstorableText(value: unknown): boolean {
  return hasUnstorableJson(JSON.stringify(value) ?? '');
}

/** Whether JSON text (as JSON.stringify writes it) contains text Postgres cannot store. */
export function hasUnstorableJson(json: string): boolean {
  return UNSTORABLE.test(json);
}

/** A copy of a JSON value with unstorable characters replaced by U+FFFD, for the quarantine. */
export function storableCopy<T>(value: T): T {
  const json = JSON.stringify(value);
  if (json === undefined || !UNSTORABLE.test(json)) return value;
  return JSON.parse(json.replace(new RegExp(UNSTORABLE.source, 'gi'), (match) => match.replace(/\\u[0-9a-f]{4}$/i, '\\ufffd'))) as T;
}
