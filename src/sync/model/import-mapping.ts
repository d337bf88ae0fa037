import { foldName } from './text.ts';

// Which column of a customer file holds which field. A first guess comes from the headers (English and
// Persian words, folded like names so Arabic and Persian keyboards agree); what a manager chose last time on
// this device wins over the guess. The app and `patron-sync import` share it.

/** The fields a customer file may carry, in the order the mapping screen lists them. */
export const IMPORT_FIELDS = ['name', 'phone', 'email', 'memberCode', 'birthday', 'anniversary', 'notes', 'tags', 'marketingConsent', 'points', 'visits'] as const;
/** A field a column can be mapped to. */
export type ImportField = (typeof IMPORT_FIELDS)[number];
/** Field → index of the column holding it (a field left out is not imported). */
export type ColumnMapping = Partial<Record<ImportField, number>>;
/** Folded header → the field a manager mapped it to (what a device remembers between imports). */
export type RememberedMapping = Record<string, ImportField>;

/** Fields every file must map. */
export const REQUIRED_IMPORT_FIELDS: readonly ImportField[] = ['name', 'phone'];

const HEADER_WORDS: Record<ImportField, readonly string[]> = {
  name: ['name', 'full name', 'customer', 'customer name', 'client', 'نام', 'نام و نام خانوادگی', 'نام مشتری', 'مشتری'],
  phone: ['phone', 'mobile', 'cell', 'telephone', 'tel', 'phone number', 'mobile number', 'تلفن', 'موبایل', 'شماره', 'شماره تلفن', 'شماره موبایل', 'تلفن همراه', 'همراه'],
  email: ['email', 'e mail', 'mail', 'email address', 'ایمیل', 'پست الکترونیک', 'رایانامه'],
  memberCode: ['member code', 'member no', 'member number', 'membership', 'card number', 'code', 'کد عضویت', 'شماره عضویت', 'کد مشتری', 'شماره کارت'],
  birthday: ['birthday', 'birth date', 'date of birth', 'dob', 'birthdate', 'تولد', 'تاریخ تولد'],
  anniversary: ['anniversary', 'سالگرد', 'تاریخ سالگرد'],
  notes: ['notes', 'note', 'comment', 'comments', 'یادداشت', 'یادداشت ها', 'توضیحات'],
  tags: ['tags', 'tag', 'labels', 'برچسب', 'برچسب ها'],
  marketingConsent: ['marketing consent', 'consent', 'marketing', 'opt in', 'newsletter', 'رضایت', 'رضایت تبلیغات', 'تبلیغات'],
  points: ['points', 'point balance', 'points balance', 'balance', 'loyalty points', 'امتیاز', 'امتیازها', 'مانده امتیاز'],
  // Counts only: a bare "visit" or "مراجعه" would also take a last-visit date column.
  visits: ['visits', 'visit count', 'number of visits', 'total visits', 'prior visits', 'previous visits', 'visits before', 'تعداد مراجعه', 'تعداد مراجعات', 'دفعات مراجعه', 'مراجعات', 'تعداد بازدید', 'تعداد خرید'],
};

/** A header as compared: folded (case, Persian/Arabic letters, digits), punctuation and underscores as spaces. */
export function headerKey(header: string): string {
  return foldName(header.replace(/[_\-.:/#()[\]*]+/g, ' ')).replace(/\s+/g, ' ').trim();
}

const WORDS = new Map<string, ImportField>(IMPORT_FIELDS.flatMap((field) => HEADER_WORDS[field].map((word) => [headerKey(word), field] as const)));

/**
 * The mapping of a file's headers: a header the device remembers takes its field, then a header that is one of
 * a field's words, then a header that contains one (longest word first). A field takes one column, a column
 * one field; the first column wins.
 */
export function guessMapping(headers: readonly string[], remembered: RememberedMapping = {}): ColumnMapping {
  const mapping: ColumnMapping = {};
  const keys = headers.map(headerKey);
  const taken = new Set<number>();
  const assign = (field: ImportField | undefined, column: number) => {
    if (field === undefined || mapping[field] !== undefined || taken.has(column)) return;
    mapping[field] = column;
    taken.add(column);
  };
  keys.forEach((key, column) => assign(Object.hasOwn(remembered, key) ? remembered[key] : undefined, column));
  keys.forEach((key, column) => assign(WORDS.get(key), column));
  const byLength = [...WORDS.entries()].sort((a, b) => b[0].length - a[0].length);
  keys.forEach((key, column) => {
    const found = byLength.find(([word]) => word.length >= 3 && key.includes(word));
    assign(found?.[1], column);
  });
  return mapping;
}

/** What to remember of a mapping a manager confirmed: the folded header of each mapped column. */
export function rememberMapping(headers: readonly string[], mapping: ColumnMapping, before: RememberedMapping = {}): RememberedMapping {
  const next: RememberedMapping = { ...before };
  for (const field of IMPORT_FIELDS) {
    const column = mapping[field];
    const key = column === undefined ? undefined : headers[column] === undefined ? undefined : headerKey(headers[column]);
    if (key) next[key] = field;
  }
  return next;
}

/** The required fields a mapping leaves out. */
export function missingFields(mapping: ColumnMapping): ImportField[] {
  return REQUIRED_IMPORT_FIELDS.filter((field) => mapping[field] === undefined);
}
