import { parsePhone } from '../../model/phone.ts';
import type { Random } from './random.ts';

// Phone numbers as cashiers type them: Iranian mobiles in the allocated ranges (libphonenumber's `max`
// metadata refuses the rest) written several ways, and a few foreign numbers in international format.

/** Iranian mobile prefixes by operator share (MCI 091x/099x, Irancell 093x/090x, Rightel 0921/0922). */
const IRAN_PREFIXES: readonly (readonly [string, number])[] = [
  ['0912', 14], ['0913', 6], ['0914', 4], ['0915', 4], ['0916', 3], ['0917', 3], ['0918', 3], ['0919', 8],
  ['0990', 4], ['0991', 3], ['0992', 2],
  ['0935', 9], ['0936', 7], ['0937', 5], ['0938', 3], ['0939', 4], ['0901', 5], ['0902', 3], ['0903', 3], ['0905', 2],
  ['0921', 2], ['0922', 2],
];

/** Foreign numbers: calling code and a generator of the national significant number. */
const FOREIGN: readonly (readonly [string, (rng: Random) => string, number])[] = [
  ['1', (rng) => `${rng.pick(['212', '415', '646', '310', '617', '312', '416', '604'])}${rng.int(2, 9)}${rng.digits(6)}`, 3],
  ['44', (rng) => `7${rng.pick(['400', '500', '700', '800', '900', '911', '958'])}${rng.digits(6)}`, 3],
  ['49', (rng) => `${rng.pick(['151', '152', '157', '160', '170', '171', '172', '176', '179'])}${rng.digits(rng.pick([7, 8]))}`, 2],
  ['971', (rng) => `5${rng.pick(['0', '2', '4', '5', '6', '8'])}${rng.digits(7)}`, 2],
];

const PERSIAN_DIGITS = '۰۱۲۳۴۵۶۷۸۹';

function persianDigits(s: string): string {
  return s.replace(/\d/g, (d) => PERSIAN_DIGITS[Number(d)] ?? d);
}

/** How an Iranian mobile was typed: `09123456789`, `0912 345 6789`, `+98 912…`, or in Persian digits. */
function iranianAsTyped(rng: Random, national: string): string {
  const style = rng.weighted([['plain', 55], ['spaced', 20], ['intl', 15], ['persian', 10]] as const);
  switch (style) {
    case 'plain':
      return national;
    case 'spaced':
      return `${national.slice(0, 4)} ${national.slice(4, 7)} ${national.slice(7)}`;
    case 'intl':
      return `+98 ${national.slice(1, 4)} ${national.slice(4, 7)} ${national.slice(7)}`;
    case 'persian':
      return persianDigits(national);
  }
}

/**
 * A phone number as typed at the counter and its E.164 form, never one in `taken`. Foreign with
 * probability `foreignShare`. Retries until libphonenumber accepts the number (random digits sometimes
 * land outside an allocated range).
 */
export function demoPhone(rng: Random, foreignShare: number, taken: ReadonlySet<string>): { typed: string; e164: string } {
  const foreign = rng.chance(foreignShare);
  for (let attempt = 0; attempt < 100; attempt++) {
    let typed: string;
    if (foreign && attempt < 50) {
      const [code, national] = rng.weighted(FOREIGN.map(([c, gen, weight]) => [[c, gen] as const, weight] as const));
      typed = `+${code} ${national(rng)}`;
    } else {
      typed = iranianAsTyped(rng, `${rng.weighted(IRAN_PREFIXES)}${rng.digits(7)}`);
    }
    const parsed = parsePhone(typed, 'IR');
    if (parsed.ok && !taken.has(parsed.e164)) return { typed, e164: parsed.e164 };
  }
  throw new Error('could not draw a valid unused phone number');
}
