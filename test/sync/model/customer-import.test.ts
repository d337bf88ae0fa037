import fc from 'fast-check';
import writeXlsxFile from 'write-excel-file/node';
import { describe, expect, it } from 'vitest';
import { choicesFor, findConflicts, planImport, type ConflictChoice, type ExistingCustomers } from '../../../src/sync/model/import-dedupe.ts';
import { guessMapping, headerKey, missingFields, rememberMapping } from '../../../src/sync/model/import-mapping.ts';
import { checkRows, rowChecker, type ImportRow } from '../../../src/sync/model/import-rows.ts';
import { decodeText, readCsv, readXlsx } from '../../../src/sync/model/import-table.ts';
import { mergedChanges } from '../../../src/sync/model/import-writes.ts';
import { memberCode } from '../../../src/sync/model/member-code.ts';

// The import's shared rules (docs/directory.md#import): mapping guessed from English and Persian headers,
// rows checked and normalised in the merchant's region, duplicates against the replica and within the file.

const RULES = { region: 'IR', today: '2026-12-07', pointsLimit: 5000 };
const NOBODY: ExistingCustomers = { byMemberCode: () => null, byPhone: () => null, bySecondPhone: () => null, byEmail: () => null };

describe('column mapping', () => {
  it('guesses English and Persian headers, one column per field', () => {
    expect(guessMapping(['Full Name', 'Mobile', 'E-mail', 'Date of birth', 'Points', 'Phone'])).toEqual({ name: 0, phone: 1, email: 2, birthday: 3, points: 4 });
    expect(guessMapping(['نام و نام خانوادگی', 'شماره موبايل', 'ايميل', 'تاریخ تولد', 'امتیاز', 'كد عضويت'])).toEqual({
      name: 0, phone: 1, email: 2, birthday: 3, points: 4, memberCode: 5,
    });
    expect(missingFields(guessMapping(['foo', 'Mobile']))).toEqual(['name']);
  });

  it('a remembered header wins over the guess', () => {
    const headers = ['Customer', 'Cell', 'Club no'];
    const remembered = rememberMapping(headers, { name: 0, phone: 1, memberCode: 2 });
    expect(remembered[headerKey('Club no')]).toBe('memberCode');
    expect(guessMapping(['club_no', 'Customer', 'Cell'], remembered)).toEqual({ memberCode: 0, name: 1, phone: 2 });
  });
});

describe('rows', () => {
  const check = rowChecker(RULES);
  const mapping = { name: 0, phone: 1, email: 2, birthday: 3, points: 4, marketingConsent: 5, tags: 6, memberCode: 7 };

  it('normalises phones in the merchant region (Persian digits, spaces), dates, consent, tags and points', () => {
    const result = check(['  Sara   Ahmadi ', '۰۹۱۲ ۳۴۵ ۶۷۸۹', 'sara@example.com', '1990/3/7', '۱,۲۰۰', 'بله', 'vip، regular', ''], 2, mapping);
    expect(result).toEqual({
      row: { line: 2, name: 'Sara Ahmadi', phone: '+989123456789', email: 'sara@example.com', birthday: '1990-03-07', anniversary: null, notes: '', tags: ['vip', 'regular'], marketingConsent: true, memberCode: null, points: 1200, visits: 0 },
    });
  });

  it('names each refused cell with its problem and what it held', () => {
    const result = check(['Al', '12', 'not-mail', '2099-01-01', '9000', 'maybe', '', '3-00001'], 7, mapping);
    expect('errors' in result && result.errors.map((e) => [e.field, e.problem])).toEqual([
      ['marketingConsent', 'INVALID_CONSENT'],
      ['phone', 'INVALID_PHONE_FORMAT'],
      ['name', 'INVALID_NAME'],
      ['email', 'INVALID_EMAIL'],
      ['birthday', 'FUTURE_DATE'],
      ['memberCode', 'INVALID_MEMBER_CODE'],
      ['points', 'POINTS_ABOVE_LIMIT'],
    ]);
    expect('errors' in result && result.errors[0]).toMatchObject({ line: 7, value: 'maybe' });
  });

  it('numbers data rows as a spreadsheet does (the header is line 1)', () => {
    const { rows, errors } = checkRows([['Ali Rezaei', '09121111111'], ['x', 'y'], ['Reza Ali', '09122222222']], { name: 0, phone: 1 }, RULES);
    expect(rows.map((r) => r.line)).toEqual([2, 4]);
    expect(new Set(errors.map((e) => e.line))).toEqual(new Set([3]));
  });
});

describe('files', () => {
  it('reads CSV (UTF-8 with BOM, or Windows-1256) and the first sheet of an .xlsx', async () => {
    const csv = '\uFEFFname;phone\n"Rezaei; Ali";09121234567\n\n';
    expect(readCsv(decodeText(new TextEncoder().encode(csv)))).toEqual({ headers: ['name', 'phone'], rows: [['Rezaei; Ali', '09121234567']] });
    // "نام" in Windows-1256.
    expect(decodeText(new Uint8Array([0xe4, 0xc7, 0xe3]))).toBe('نام');
    const xlsx = await writeXlsxFile([
      [{ value: 'Name' }, { value: 'Phone' }, { value: 'Birthday' }, { value: 'Points' }],
      [{ value: 'Ali Rezaei' }, { value: '09121234567' }, { value: new Date(Date.UTC(1990, 2, 7)), type: Date, format: 'yyyy-mm-dd' }, { value: 40, type: Number }],
    ]).toBuffer();
    const table = await readXlsx(xlsx.buffer.slice(xlsx.byteOffset, xlsx.byteOffset + xlsx.byteLength) as ArrayBuffer);
    expect(table).toEqual({ headers: ['Name', 'Phone', 'Birthday', 'Points'], rows: [['Ali Rezaei', '09121234567', '1990-03-07', '40']] });
  });
});

const row = (line: number, phone: string, email: string | null = null, code: string | null = null): ImportRow => ({
  line, name: `Customer ${line}`, phone, email, birthday: null, anniversary: null, notes: '', tags: [], marketingConsent: false, memberCode: code, points: 10, visits: 0,
});

describe('duplicates', () => {
  it('matches existing customers by member code, then phone, then e-mail; later rows of the file against earlier ones', () => {
    const existing: ExistingCustomers = {
      byMemberCode: (c) => (c === memberCode(3, 1) ? 'id-code' : null),
      byPhone: (p) => (p === '+989120000001' ? 'id-phone' : null),
      bySecondPhone: () => null,
      byEmail: (e) => (e === 'known@example.com' ? 'id-mail' : null),
    };
    const rows = [row(2, '+989120000009', null, memberCode(3, 1)), row(3, '+989120000001'), row(4, '+989120000002', 'Known@example.com'), row(5, '+989120000003', 'a@b.co'), row(6, '+989120000004', 'A@b.co'), row(7, '+989120000003')];
    expect(findConflicts(rows, existing)).toEqual([
      { line: 2, by: 'memberCode', phoneTaken: false, existing: 'id-code' },
      { line: 3, by: 'phone', phoneTaken: true, existing: 'id-phone' },
      { line: 4, by: 'email', phoneTaken: false, existing: 'id-mail' },
      { line: 6, by: 'email', phoneTaken: false, earlierLine: 5 },
      { line: 7, by: 'phone', phoneTaken: true, earlierLine: 5 },
    ]);
  });

  it("matches a row's phone against existing customers' second phones, after their own phones; such a row may still be created", () => {
    const existing: ExistingCustomers = {
      ...NOBODY,
      byPhone: (p) => (p === '+989120000001' ? 'id-own' : null),
      bySecondPhone: (p) => (p === '+989120000001' || p === '+989120000002' ? 'id-second' : null),
      byEmail: (e) => (e === 'known@example.com' ? 'id-mail' : null),
    };
    const rows = [row(2, '+989120000001'), row(3, '+989120000002', 'known@example.com'), row(4, '+989120000005'), row(5, '+989120000002')];
    const conflicts = findConflicts(rows, existing);
    expect(conflicts).toEqual([
      { line: 2, by: 'phone', phoneTaken: true, existing: 'id-own' },
      // Someone's second phone may be a shared family phone: it is a conflict to decide, not a taken phone.
      { line: 3, by: 'phone', phoneTaken: false, existing: 'id-second' },
      // An earlier row of the file has this phone: two created rows cannot share it.
      { line: 5, by: 'phone', phoneTaken: true, existing: 'id-second' },
    ]);
    expect(choicesFor(conflicts[1]!)).toEqual(['skip', 'merge', 'create']);
    const plan = planImport(rows, conflicts, () => 'merge');
    expect(plan.merges).toEqual([{ customerId: 'id-own', rows: [rows[0]] }, { customerId: 'id-second', rows: [rows[1], rows[3]] }]);
  });

  it('merges fill blanks and never carry points; a phone duplicate is never created', () => {
    const first = row(2, '+989120000003');
    const again = { ...row(3, '+989120000003', 'x@y.co'), tags: ['vip'] };
    const plan = planImport([first, again], findConflicts([first, again], NOBODY), () => 'create');
    expect(plan.creates).toEqual([first]);
    expect(plan.skipped).toEqual([3]);
    const merged = planImport([first, again], findConflicts([first, again], NOBODY), () => 'merge');
    expect(merged.creates).toEqual([{ ...first, email: 'x@y.co', tags: ['vip'] }]);
    // A note and consent go to created customers only (append-only histories an undo could not take back).
    expect(mergedChanges({ email: 'old@y.co', birthday: null, anniversary: null, tags: ['a'], priorVisits: 0 }, [{ ...again, notes: 'new', marketingConsent: true, birthday: '1990-01-01' }])).toEqual({
      before: { birthday: null, tags: ['a'] },
      after: { birthday: '1990-01-01', tags: ['a', 'vip'] },
    });
  });

  it('every row is created, merged or skipped exactly once, and no two created rows share a phone (property)', () => {
    const seed = Number(process.env.PATRON_SEED ?? Date.now() % 1_000_000_000);
    console.log(`customer-import property seed ${seed} (PATRON_SEED=${seed} to replay)`);
    const phone = fc.integer({ min: 0, max: 6 }).map((n) => `+98912000000${n}`);
    const email = fc.option(fc.constantFrom('a@x.co', 'b@x.co', 'A@x.co'), { nil: null });
    const choice = fc.constantFrom<ConflictChoice>('skip', 'merge', 'create');
    fc.assert(
      fc.property(fc.array(fc.tuple(phone, email, choice), { maxLength: 25 }), fc.subarray(['+989120000001', '+989120000002']), (specs, known) => {
        const rows = specs.map(([p, e], i) => row(i + 2, p, e));
        const existing: ExistingCustomers = { ...NOBODY, byPhone: (p) => (known.includes(p) ? `id${p}` : null), byEmail: (e) => (e === 'b@x.co' ? 'id-b' : null) };
        const conflicts = findConflicts(rows, existing);
        const plan = planImport(rows, conflicts, (c) => specs[c.line - 2]![2]);
        const merged = plan.merges.flatMap((m) => m.rows.map((r) => r.line));
        const folded = rows.length - plan.creates.length - merged.length - plan.skipped.length;
        const lines = [...plan.creates.map((r) => r.line), ...merged, ...plan.skipped];
        expect(new Set(lines).size).toBe(lines.length);
        expect(folded).toBeGreaterThanOrEqual(0);
        const phones = plan.creates.map((r) => r.phone);
        expect(new Set(phones).size).toBe(phones.length);
        expect(phones.filter((p) => known.includes(p))).toEqual([]);
        for (const c of conflicts) expect(choicesFor(c)).toContain('skip');
      }),
      { seed, numRuns: 60 },
    );
  });
});

describe('visits before Patron', () => {
  it('guesses a count column in English and Persian, never a last-visit date', () => {
    expect(guessMapping(['Name', 'Phone', 'Number of visits'])).toMatchObject({ visits: 2 });
    expect(guessMapping(['نام', 'موبایل', 'تعداد مراجعه'])).toMatchObject({ visits: 2 });
    expect(guessMapping(['Name', 'Phone', 'Last visit', 'تاریخ آخرین مراجعه']).visits).toBeUndefined();
  });

  it('takes a whole number from 0 to 100,000 in any digits; anything else is the row’s error, and nothing of it is kept', () => {
    const check = rowChecker(RULES);
    const mapping = { name: 0, phone: 1, visits: 2 };
    const visits = (cell: string) => {
      const result = check(['Sara Ahmadi', '09123456789', cell], 2, mapping);
      return 'row' in result ? result.row.visits : result.errors.map((e) => [e.field, e.problem, e.value]);
    };
    expect(visits('')).toBe(0);
    expect(visits('۴۲')).toBe(42);
    expect(visits('1,200')).toBe(1200);
    expect(visits('100000')).toBe(100_000);
    for (const bad of ['-3', '2.5', 'many', '100001', '12345678']) expect(visits(bad)).toEqual([['visits', 'INVALID_VISITS', bad]]);
  });

  it('a merge fills a count of 0 and never adds to one the customer has', () => {
    const current = { email: null, birthday: null, anniversary: null, tags: [], priorVisits: 0 };
    const first = { ...row(2, '+989120000003'), visits: 30 };
    const second = { ...row(3, '+989120000003'), visits: 7 };
    expect(mergedChanges(current, [first, second])).toEqual({ before: { priorVisits: 0 }, after: { priorVisits: 30 } });
    expect(mergedChanges({ ...current, priorVisits: 12 }, [first])).toEqual({ before: {}, after: {} });
  });
});
