import { customerInputSchema, fieldProblems, parseVisitCount } from './customer-input.ts';
import type { FieldProblem } from './errors.ts';
import type { ColumnMapping, ImportField } from './import-mapping.ts';
import { isCompleteMemberCode, memberCodeQuery } from './member-code.ts';
import { toAsciiDigits } from './text.ts';

// One row of a customer file checked against the same rules as the counter's sign-up form
// (customer-input.ts), plus the columns only an import has: a member code (matched, never assigned) and an
// opening points balance within what the importing member may adjust (ledger-rules.ts), and a count of visits
// before Patron (customer `priorVisits`).

/** Why a cell of a row is refused: the sign-up form's problems and the import's own. */
export type ImportProblem = FieldProblem | 'INVALID_MEMBER_CODE' | 'INVALID_POINTS' | 'POINTS_ABOVE_LIMIT' | 'INVALID_CONSENT';

/** A row that met the rules: the values a customer document and its opening ledger line hold. */
export interface ImportRow {
  /** 1-based line of the file (the header is line 1), as a spreadsheet numbers it. */
  line: number;
  name: string;
  /** E.164. */
  phone: string;
  email: string | null;
  birthday: string | null;
  anniversary: string | null;
  notes: string;
  tags: string[];
  marketingConsent: boolean;
  /** A normalised member code the row names (matches an existing customer), or null. */
  memberCode: string | null;
  /** Opening points balance (0: no ledger line). */
  points: number;
  /** Visits before Patron (0: none). */
  visits: number;
}

/** One refused cell of a row. */
export interface RowError {
  line: number;
  field: ImportField;
  problem: ImportProblem;
  /** The cell as the file holds it (cut short), so the error file shows what to fix. */
  value: string;
}

/** The rules of an import: the merchant's region, today in its time zone, and the importer's adjustment limit. */
export interface ImportRules {
  region: string;
  /** YYYY-MM-DD. */
  today: string;
  /** The largest opening balance the importing member may write (ledger-rules.ts adjustLimitFor). */
  pointsLimit: number;
}

/** Largest opening balance any import writes (the adjustment command's bound). */
export const MAX_OPENING_POINTS = 1_000_000_000;

const YES = new Set(['yes', 'y', 'true', '1', 'x', 'بله', 'آری', 'اری', 'بلی', 'اره', 'آره', 'دارد']);
const NO = new Set(['', 'no', 'n', 'false', '0', 'خیر', 'نه', 'ندارد']);

/** A consent cell as yes/no (English or Persian words, 1/0, x), or null when it is neither. */
export function parseConsent(cell: string): boolean | null {
  const word = toAsciiDigits(cell).trim().toLowerCase();
  if (YES.has(word)) return true;
  return NO.has(word) ? false : null;
}

/** A points cell as a whole number ≥ 0 (Persian digits and thousands separators allowed), or null. */
export function parsePoints(cell: string): number | null {
  const text = toAsciiDigits(cell).replace(/[\s,_'\u066c\u066b\u060c]/g, '');
  if (text === '') return 0;
  if (!/^\d{1,10}$/.test(text)) return null;
  const points = Number(text);
  return points <= MAX_OPENING_POINTS ? points : null;
}

/** A date cell as YYYY-MM-DD text (Persian digits, `/` or `.` separators, single-digit month or day). */
export function dateText(cell: string): string {
  const text = toAsciiDigits(cell).trim();
  const match = /^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})$/.exec(text);
  return match ? `${match[1]}-${match[2]!.padStart(2, '0')}-${match[3]!.padStart(2, '0')}` : text;
}

/** The tags of a cell: split on commas (Latin or Persian), semicolons and bars. */
export function splitTags(cell: string): string[] {
  return cell.split(/[,;|\u060c]/);
}

const cut = (value: string) => (value.length > 120 ? `${value.slice(0, 119)}…` : value);

/** A checker of rows under `rules` (the schema is built once for every row of a file). */
export function rowChecker(rules: ImportRules) {
  const schema = customerInputSchema({ region: rules.region, today: rules.today });
  return (cells: readonly string[], line: number, mapping: ColumnMapping): { row: ImportRow } | { errors: RowError[] } => {
    const cell = (field: ImportField) => {
      const column = mapping[field];
      return column === undefined ? '' : (cells[column] ?? '').trim();
    };
    const errors: RowError[] = [];
    const fail = (field: ImportField, problem: ImportProblem) => errors.push({ line, field, problem, value: cut(cell(field)) });
    const consent = parseConsent(cell('marketingConsent'));
    if (consent === null) fail('marketingConsent', 'INVALID_CONSENT');
    const parsed = schema.safeParse({
      phone: cell('phone'), name: cell('name'), email: cell('email'), birthday: dateText(cell('birthday')), anniversary: dateText(cell('anniversary')),
      notes: cell('notes'), favorites: [], allergies: [], preferredTime: '', consentEmail: consent ?? false, consentSms: consent ?? false, tags: splitTags(cell('tags')), status: 'active',
    });
    if (!parsed.success) for (const [field, problem] of Object.entries(fieldProblems(parsed.error))) fail(field as ImportField, problem);
    const codeCell = cell('memberCode');
    const code = codeCell === '' ? null : memberCodeQuery(codeCell);
    if (codeCell !== '' && (code === null || !isCompleteMemberCode(code))) fail('memberCode', 'INVALID_MEMBER_CODE');
    const points = parsePoints(cell('points'));
    if (points === null) fail('points', 'INVALID_POINTS');
    else if (points > rules.pointsLimit) fail('points', 'POINTS_ABOVE_LIMIT');
    const visits = parseVisitCount(cell('visits'));
    if (visits === null) fail('visits', 'INVALID_VISITS');
    if (errors.length > 0 || !parsed.success) return { errors };
    const { name, phone, email, birthday, anniversary, notes, tags } = parsed.data;
    return { row: { line, name, phone, email, birthday, anniversary, notes, tags, marketingConsent: consent ?? false, memberCode: code, points: points ?? 0, visits: visits ?? 0 } };
  };
}

/** The rows of a file that met the rules and the errors of those that did not (a data row i is line i + 2). */
export function checkRows(rows: readonly (readonly string[])[], mapping: ColumnMapping, rules: ImportRules): { rows: ImportRow[]; errors: RowError[] } {
  const check = rowChecker(rules);
  const good: ImportRow[] = [];
  const errors: RowError[] = [];
  rows.forEach((cells, i) => {
    const result = check(cells, i + 2, mapping);
    if ('row' in result) good.push(result.row);
    else errors.push(...result.errors);
  });
  return { rows: good, errors };
}
