import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import {
  editDistance,
  foldName,
  nameMatches,
  similarNames,
  toAsciiDigits,
  toLocaleDigits,
} from '../../../src/sync/model/text.ts';

describe('foldName', () => {
  it.each([
    ['Arabic yeh ي', 'علي', 'علی'],
    ['alef maksura ى', 'مصطفى', 'مصطفی'],
    ['Arabic kaf ك', 'كاظم', 'کاظم'],
    ['teh marbuta ة', 'فاطمة', 'فاطمه'],
    ['alef madda آ', 'آرش', 'ارش'],
    ['hamza above أ', 'أحمد', 'احمد'],
    ['hamza below إ', 'إبراهيم', 'ابراهیم'],
    ['alef wasla ٱ', 'ٱمیر', 'امیر'],
    ['waw hamza ؤ', 'مؤمن', 'مومن'],
    ['yeh hamza ئ', 'رئیس', 'رییس'],
    ['heh yeh ۀ', 'خانۀ', 'خانه'],
    ['tatweel', 'مـحـمـد', 'محمد'],
    ['harakat', 'مُحَمَّد', 'محمد'],
    ['superscript alef', 'رحمٰن', 'رحمن'],
    ['ZWNJ', 'زهرا‌سادات', 'زهرا سادات'],
    ['ZWNJ and spaces together', 'زهرا \u200c سادات', 'زهرا سادات'],
    ['presentation forms', 'ﻋﻠﻲ', 'علی'],
    ['bidi marks', '\u200fعلی\u200e', 'علی'],
    ['Persian digits', 'شعبه ۲', 'شعبه 2'],
    ['Arabic-Indic digits', 'شعبة ٣', 'شعبه 3'],
    ['Latin accents', 'José', 'jose'],
    ['umlaut and case', 'MÜLLER', 'muller'],
    ['Turkish dotted capital I', 'İlkay', 'ilkay'],
    ['letters without a combining mark', 'Søren Łukasz Straße', 'soren lukasz strasse'],
    ['full-width Latin', 'ＡＬＩ', 'ali'],
    ['whitespace runs and padding', '  Ali \t  Rezaei\u00a0 ', 'ali rezaei'],
    ['mixed scripts', 'Ali علي', 'ali علی'],
  ])('%s: %j', (_label, input, expected) => {
    expect(foldName(input)).toBe(expected);
  });

  it('makes Arabic-keyboard and Persian-keyboard spellings equal', () => {
    expect(foldName('علي')).toBe(foldName('علی'));
    expect(foldName('كاظم')).toBe(foldName('کاظم'));
    expect(foldName('فاطمة')).toBe(foldName('فاطمه'));
    expect(foldName('آرش')).toBe(foldName('ارش'));
    expect(foldName('مـحـمـد')).toBe(foldName('محمد'));
    expect(foldName('زهرا‌سادات')).toBe(foldName('زهرا سادات'));
  });

  it('is idempotent (property)', () => {
    const interesting = fc.constantFrom(
      ...'يىكةأإآٱؤئۀھءیکهاو\u064b\u064e\u0650\u0651\u0652\u0670\u0640\u200c\u200d\u200e\u00ad ۰۹٠٩ßæøłİıΣσςﻋﻲＡé\u0301 \t\n-',
      'Ali',
      'ΟΔΟΣ',
    );
    const text = fc.oneof(fc.string({ unit: 'binary' }), fc.string({ unit: interesting }), fc.string());
    fc.assert(
      fc.property(text, (s) => {
        const once = foldName(s);
        expect(foldName(once)).toBe(once);
      }),
      { numRuns: 2000 },
    );
  });
});

describe('nameMatches', () => {
  it.each([
    ['علي', 'علی رضایی', true],
    ['رضا', 'علی رضایی', true],
    ['رضایی', 'علی رضایی', true],
    ['ali', 'Ali Rezaei', true],
    ['rez', 'Ali Rezaei', true],
    ['ali rez', 'Ali Rezaei', true],
    ['rezaei ali', 'Ali Rezaei', true],
    ['MULL', 'Müller', true],
    ['jose', 'José García', true],
    ['زهراسادات', 'زهرا‌سادات حسینی', true],
    ['سادات', 'زهرا‌سادات حسینی', true],
    ['كاظ', 'کاظم', true],
    ['luc', 'Jean-Luc Picard', true],
    ['', 'Anyone', true],
    ['lir', 'Ali Reza', false],
    ['eza', 'Ali Rezaei', false],
    ['bob', 'Ali Rezaei', false],
    ['ali x', 'Ali Rezaei', false],
  ])('%j in %j → %s', (query, name, expected) => {
    expect(nameMatches(query, foldName(name))).toBe(expected);
    expect(nameMatches(query, name)).toBe(expected);
  });
});

describe('similarNames', () => {
  it.each([
    ['Arabic and Persian spellings', 'علي رضائي', 'علی رضایی', true],
    ['ZWNJ against nothing', 'زهرا‌سادات', 'زهراسادات', true],
    ['a word subset', 'Ali', 'Ali Rezaei', true],
    ['word order', 'Rezaei Ali', 'Ali Rezaei', true],
    ['one edit', 'Mohamad', 'Mohammad', true],
    ['two edits', 'Mohammad', 'Muhamad', true],
    ['Persian one edit', 'محمدرضا', 'محمدرضی', true],
    ['case and accents', 'JOSÉ GARCIA', 'jose garcia', true],
    ['short names need equality', 'Sara', 'Sima', false],
    ['short names one edit apart', 'Ali', 'Alo', false],
    ['three edits', 'Mohammad', 'Mahmood', false],
    ['different people', 'Ali Rezaei', 'Sara Ahmadi', false],
    ['empty', '', 'Ali', false],
    ['only punctuation', '-', 'Ali', false],
  ])('%s: %j / %j → %s', (_label, a, b, expected) => {
    expect(similarNames(a, b)).toBe(expected);
    expect(similarNames(b, a)).toBe(expected);
  });
});

describe('editDistance', () => {
  it.each([
    ['', '', 0],
    ['abc', '', 3],
    ['kitten', 'sitting', 3],
    ['علی', 'عالی', 1],
    ['😀a', 'a', 1],
  ])('%j → %j = %i', (a, b, d) => {
    expect(editDistance(a, b)).toBe(d);
    expect(editDistance(b, a)).toBe(d);
  });

  it('stops at the limit', () => {
    expect(editDistance('kitten', 'sitting', 2)).toBe(3);
    expect(editDistance('a', 'abcdefgh', 2)).toBe(3);
  });
});

describe('digits', () => {
  it('writes Persian digits for fa and ASCII otherwise', () => {
    expect(toLocaleDigits('0912 345 6789', 'fa')).toBe('۰۹۱۲ ۳۴۵ ۶۷۸۹');
    expect(toLocaleDigits('۰۹۱۲ ٣٤٥ 6789', 'en')).toBe('0912 345 6789');
    expect(toLocaleDigits('٣ items', 'fa')).toBe('۳ items');
  });

  it('round-trips between scripts (property)', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[0-9 +-]*$/), (s) => {
        expect(toAsciiDigits(toLocaleDigits(s, 'fa'))).toBe(s);
      }),
    );
  });
});
