import MiniSearch from 'minisearch';
import type { Customer } from '../model/customer.ts';
import { foldName, nameWords } from '../model/text.ts';

// The counter's name search (docs/directory.md): any word of the name by prefix, by substring and with one typo. Everything is folded with the same `foldName` as the stored `nameKey`, so Arabic and
// Persian keyboards, ZWNJ and diacritics find the same customers. Phones and member codes never come here:
// they are exact index ranges (lookup-index.ts), so the phone path never pays for text search.
//
// MiniSearch indexes the *vocabulary* — each distinct word once — not the customers. Names repeat (100k
// customers share a few thousand words), so a typed word is matched against a small index (prefix, typo,
// inner part, with MiniSearch's ranking of exact over prefix over typo), and the customers come from each
// matched word's posting set. Indexing the customers instead would score every matching customer on every
// keystroke and grow the index with the customer count, not with the vocabulary.

/** Shortest part of a word indexed for substring search ("ezaei" in "rezaei"): shorter parts match too much. */
const MIN_PART = 3;
/** Shortest typed word searched with one typo: "ali" with a typo is half the names of a city. */
const MIN_FUZZY = 4;

/** The inner parts of a word: every suffix of MIN_PART letters or more, the word itself excluded. */
function innerParts(word: string): string[] {
  const letters = Array.from(word);
  const parts: string[] = [];
  for (let at = 1; letters.length - at >= MIN_PART; at++) parts.push(letters.slice(at).join(''));
  return parts;
}

/** A customer's terms: the words of the folded name. */
export function customerTerms(customer: Pick<Customer, 'nameKey'>): string[] {
  return [...new Set(nameWords(foldName(customer.nameKey)))];
}

type Term = { id: string };

/** A search over customers' names, kept current by its owner (add/remove per change). */
export function createTextSearch() {
  const vocabulary = new MiniSearch<Term>({
    fields: ['word', 'parts'],
    storeFields: [],
    extractField: (term, field) => (field === 'parts' ? innerParts(term.id).join('\n') : term.id),
    tokenize: (text) => text.split('\n'),
    processTerm: (term) => term || null,
    autoVacuum: { batchSize: 2000, batchWait: 20, minDirtCount: 500, minDirtFactor: 0.1 },
  });
  const postings = new Map<string, Set<string>>();
  const termsOf = new Map<string, string[]>();

  function remove(id: string): void {
    for (const term of termsOf.get(id) ?? []) {
      const holders = postings.get(term);
      holders?.delete(id);
      if (holders?.size === 0) {
        postings.delete(term);
        vocabulary.discard(term);
        matched.clear();
      }
    }
    termsOf.delete(id);
  }

  function add(customer: Customer): void {
    remove(customer.id);
    const terms = customerTerms(customer);
    termsOf.set(customer.id, terms);
    for (const term of terms) {
      let holders = postings.get(term);
      if (!holders) {
        holders = new Set();
        postings.set(term, holders);
        vocabulary.add({ id: term });
        matched.clear();
      }
      holders.add(customer.id);
    }
  }

  // The words typed before the last one are matched again on every keystroke: their matches are kept until
  // the vocabulary changes.
  const matched = new Map<string, Map<string, number>>();
  const MATCHED_KEPT = 32;

  /** The vocabulary's words for one typed word (word → score): itself, words it starts, one typo, inner parts. */
  function matchTerms(word: string): Map<string, number> {
    const kept = matched.get(word);
    if (kept) return kept;
    if (matched.size >= MATCHED_KEPT) matched.clear();
    const found = searchVocabulary(word);
    matched.set(word, found);
    return found;
  }

  function searchVocabulary(word: string): Map<string, number> {
    const length = Array.from(word).length;
    const found = vocabulary.search({
      combineWith: 'OR',
      queries: [
        { queries: [word], fields: ['word'], prefix: true, fuzzy: length >= MIN_FUZZY ? 1 : false },
        ...(length >= MIN_PART ? [{ queries: [word], fields: ['parts'], prefix: true, boost: { parts: 0.5 } }] : []),
      ],
    });
    return new Map(found.map((result) => [result.id as string, result.score]));
  }

  /** One typed word: the customers of its best terms first; counting stops past `cap`. */
  function single(terms: Map<string, number>, limit: number, cap: number): { ids: string[]; total: number } {
    const ids: string[] = [];
    const seen = new Set<string>();
    const best = [...terms].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
    for (const [term] of best) {
      for (const id of postings.get(term) ?? []) {
        if (seen.has(id)) continue;
        seen.add(id);
        if (ids.length < limit) ids.push(id);
        if (seen.size > cap) return { ids, total: seen.size };
      }
    }
    return { ids, total: seen.size };
  }

  /** Several typed words: the customers of the rarest word, kept when every other word matches one of their terms. */
  function several(matches: Map<string, number>[], limit: number): { ids: string[]; total: number } {
    const sizes = matches.map((terms) => [...terms.keys()].reduce((sum, term) => sum + (postings.get(term)?.size ?? 0), 0));
    const pivot = matches[sizes.indexOf(Math.min(...sizes))]!;
    const ranked: [string, number][] = [];
    // A customer holds several of the pivot's terms only when it has more than one.
    const seen = pivot.size > 1 ? new Set<string>() : null;
    for (const term of pivot.keys()) {
      for (const id of postings.get(term) ?? []) {
        if (seen) {
          if (seen.has(id)) continue;
          seen.add(id);
        }
        const score = scoreOf(termsOf.get(id) ?? [], matches);
        if (score > 0) ranked.push([id, score]);
      }
    }
    ranked.sort((a, b) => b[1] - a[1]);
    return { ids: ranked.slice(0, limit).map(([id]) => id), total: ranked.length };
  }

  return {
    add,
    remove,
    has: (id: string) => termsOf.has(id),
    /**
     * The customers matching every typed word (in any order), best first, and how many there were (counted up
     * to just past `cap`). A customer scores the sum of its best term per typed word, as MiniSearch ranks terms:
     * exact words above prefixes, prefixes above typos and inner parts; equal scores in the order indexed.
     */
    query(typed: string, limit: number, cap = Number.MAX_SAFE_INTEGER): { ids: string[]; total: number } {
      const words = nameWords(foldName(typed));
      if (words.length === 0) return { ids: [], total: 0 };
      const matches = words.map(matchTerms);
      return matches.length === 1 ? single(matches[0]!, limit, cap) : several(matches, limit);
    },
  };
}

/** The sum over typed words of a customer's best matching term, or 0 when a word matches none of them. */
function scoreOf(terms: readonly string[], matches: readonly Map<string, number>[]): number {
  let total = 0;
  for (const word of matches) {
    let best = 0;
    for (const term of terms) {
      const score = word.get(term);
      if (score !== undefined && score > best) best = score;
    }
    if (best === 0) return 0;
    total += best;
  }
  return total;
}

/** The text search of a lookup index. */
export type TextSearch = ReturnType<typeof createTextSearch>;
