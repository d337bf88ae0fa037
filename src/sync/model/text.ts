import type { Locale } from './settings.ts';

// Text helpers for the counter (docs/architecture.md#phone-and-text): digit scripts and the folded name-search key. A folded key
// is stored on the customer (`nameKey`) and compared with a folded query, so every rule here must give
// the same answer for what the cashier types and for what was saved, whatever keyboard wrote either.

/** Code point of Persian zero (۰, U+06F0). */
const PERSIAN_ZERO = 0x06f0;
/** Code point of Arabic-Indic zero (٠, U+0660). */
const ARABIC_INDIC_ZERO = 0x0660;

/** Converts Persian (۰–۹) and Arabic-Indic (٠–٩) digits to ASCII; everything else is kept. */
export function toAsciiDigits(s: string): string {
  return s.replace(/[\u06f0-\u06f9\u0660-\u0669]/g, (d) => {
    const cp = d.charCodeAt(0);
    return String(cp >= PERSIAN_ZERO ? cp - PERSIAN_ZERO : cp - ARABIC_INDIC_ZERO);
  });
}

/** Writes digits in the locale's script: Persian digits for `fa`, ASCII otherwise. */
export function toLocaleDigits(s: string, locale: Locale): string {
  const ascii = toAsciiDigits(s);
  if (locale !== 'fa') return ascii;
  return ascii.replace(/[0-9]/g, (d) => String.fromCharCode(PERSIAN_ZERO + d.charCodeAt(0) - 48));
}

/**
 * Letter variants folded to the Persian form. Arabic keyboards (and older Windows Persian layouts)
 * write ي/ى/ك, so the same customer is saved both ways. أ/إ/آ/ؤ/ئ/ۀ are listed although NFKD plus
 * mark removal already reduces them, so the table reads as the rule it is.
 */
const LETTER_FOLDS: Readonly<Record<string, string>> = {
  '\u064a': '\u06cc', // ي Arabic yeh → ی
  '\u0649': '\u06cc', // ى alef maksura → ی
  '\u0626': '\u06cc', // ئ yeh with hamza → ی
  '\u0643': '\u06a9', // ك Arabic kaf → ک
  '\u0629': '\u0647', // ة teh marbuta → ه
  '\u06c0': '\u0647', // ۀ heh with yeh above → ه
  '\u06be': '\u0647', // ھ heh doachashmee (Urdu layouts) → ه
  '\u06d5': '\u0647', // ە ae → ه
  '\u0623': '\u0627', // أ → ا
  '\u0625': '\u0627', // إ → ا
  '\u0622': '\u0627', // آ → ا
  '\u0671': '\u0627', // ٱ alef wasla → ا
  '\u0624': '\u0648', // ؤ → و
  // Latin letters that carry no combining mark, so NFD alone would leave them.
  ß: 'ss',
  æ: 'ae',
  œ: 'oe',
  ø: 'o',
  ł: 'l',
  đ: 'd',
  ð: 'd',
  þ: 'th',
  ı: 'i',
};
const LETTER_FOLD_RE = new RegExp(`[${Object.keys(LETTER_FOLDS).join('')}]`, 'g');

/**
 * The name-search key (docs/architecture.md#name-folding): compatibility forms unfolded (Arabic presentation forms, full-width
 * Latin), Arabic letter variants → Persian, diacritics (harakat, superscript alef, Latin accents) and
 * tatweel removed, ZWNJ and whitespace → one space, Latin lowercased, Persian/Arabic digits → ASCII.
 * Idempotent, so a stored key may be folded again safely.
 */
export function foldName(s: string): string {
  return toAsciiDigits(
    s
      // NFKD first: it splits أ/آ/é into base + mark and maps ﻋﻠﻲ/Ａ to their plain letters.
      .normalize('NFKD')
      .toLowerCase()
      .replace(LETTER_FOLD_RE, (c) => LETTER_FOLDS[c] ?? c)
      // ZWNJ separates the parts of one name (زهرا‌سادات); a space does the same for a typed query.
      .replace(/\u200c/g, ' ')
      // Every combining mark (harakat U+064B–065F, U+0670, Latin accents) and tatweel; other format
      // characters (ZWJ, bidi marks pasted from RTL text, soft hyphen) carry no letters either.
      .replace(/[\p{M}\u0640\p{Cf}]/gu, ''),
  )
    .replace(/\s+/g, ' ')
    .trim()
    // NFC last only recomposes mark-free sequences (Hangul jamo), so a second pass changes nothing.
    .normalize('NFC');
}

/** Word separators inside a folded name: spaces and dashes (Jean-Luc, زهرا-سادات). */
const WORD_SEPARATOR = /[\s\p{Pd}]+/u;

/** The words of a folded name (split at spaces and dashes), for word-by-word search. */
export function nameWords(folded: string): string[] {
  return folded.split(WORD_SEPARATOR).filter((w) => w !== '');
}
const words = nameWords;

/**
 * Whether a typed query finds a name: after folding, the query (spaces ignored, so `زهراسادات` finds
 * `زهرا‌سادات`) is a prefix of the name from the start of any word, or every query word is a prefix
 * of some word of the name in any order (`rezaei ali` finds `Ali Rezaei`). An empty query matches.
 */
export function nameMatches(query: string, nameKey: string): boolean {
  const q = foldName(query);
  if (q === '') return true;
  const key = foldName(nameKey);
  const keyWords = words(key);
  const compactQuery = words(q).join('');
  for (let i = 0; i < keyWords.length; i++) {
    if (keyWords.slice(i).join('').startsWith(compactQuery)) return true;
  }
  return words(q).every((qw) => keyWords.some((kw) => kw.startsWith(qw)));
}

/**
 * Levenshtein distance over code points, giving up once it must exceed `limit` (returns limit + 1):
 * duplicate checks run against many names and only care whether the distance is small.
 */
export function editDistance(a: string, b: string, limit = Number.MAX_SAFE_INTEGER): number {
  const x = Array.from(a);
  const y = Array.from(b);
  if (Math.abs(x.length - y.length) > limit) return limit + 1;
  let prev = Array.from({ length: y.length + 1 }, (_, j) => j);
  for (let i = 1; i <= x.length; i++) {
    const row = [i];
    let rowMin = i;
    for (let j = 1; j <= y.length; j++) {
      const cost = x[i - 1] === y[j - 1] ? 0 : 1;
      const value = Math.min((prev[j] ?? 0) + 1, (row[j - 1] ?? 0) + 1, (prev[j - 1] ?? 0) + cost);
      row.push(value);
      rowMin = Math.min(rowMin, value);
    }
    if (rowMin > limit) return limit + 1;
    prev = row;
  }
  const distance = prev[y.length] ?? 0;
  return distance > limit ? limit + 1 : distance;
}

/** Shortest folded name (in code points) for which a typo-level difference still counts as similar. */
export const SIMILAR_MIN_LENGTH = 5;
/** Largest edit distance between two names that still warns of a duplicate. */
export const SIMILAR_MAX_DISTANCE = 2;

/**
 * Whether two names look like the same person, for the duplicate warning at enrolment: equal after
 * folding (also ignoring spaces), one name's words all among the other's (`Ali` / `Ali Rezaei`), or
 * at most two edits apart when both have at least five letters (`Mohamad` / `Mohammad`).
 */
export function similarNames(a: string, b: string): boolean {
  const fa = foldName(a);
  const fb = foldName(b);
  const wa = words(fa);
  const wb = words(fb);
  // A name of only dashes or spaces has no words, and an empty set is a subset of everything.
  if (wa.length === 0 || wb.length === 0) return false;
  const ca = wa.join('');
  const cb = wb.join('');
  if (ca === cb) return true;
  const [fewer, more] = wa.length <= wb.length ? [wa, new Set(wb)] : [wb, new Set(wa)];
  if (fewer.every((w) => more.has(w))) return true;
  if (Math.min(Array.from(ca).length, Array.from(cb).length) < SIMILAR_MIN_LENGTH) return false;
  return editDistance(fa, fb, SIMILAR_MAX_DISTANCE) <= SIMILAR_MAX_DISTANCE;
}
