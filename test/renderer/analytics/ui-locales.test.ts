// The analytics namespace: the same keys in English and Persian, every key the dashboard's modules use
// present (the literal ones and the families built from model names), and no raw text in its JSX.
// (test/renderer/locales.test.ts does the same for the counter's namespaces.)
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { localeKeys, rawJsxText, RENDERER, sourceFiles } from '../../helpers/locale-sources.ts';
import { FREQUENCY_BUCKETS } from '../../../src/renderer/features/analytics/compute/schema.ts';
import { PERIOD_PRESETS } from '../../../src/renderer/features/analytics/periods.ts';
import { LOYALTY_FLOWS } from '../../../src/renderer/features/analytics/ui/chart-data.ts';
import { TIERS } from '../../../src/sync/model/common.ts';
import { SEGMENTS } from '../../../src/sync/model/segments.ts';

const FEATURE = path.join(RENDERER, 'features/analytics');

const load = (locale: string) => localeKeys(locale, 'analytics');
const en = load('en');
const fa = load('fa');

/** A key is there as it is, or as the plural forms i18next picks from `count`. */
function has(table: Map<string, string>, key: string): boolean {
  return table.has(key) || (table.has(`${key}_one`) && table.has(`${key}_other`));
}

const sources = sourceFiles(FEATURE).filter((file) => !file.includes(`${path.sep}compute${path.sep}`));

describe('analytics locale files', () => {
  it('have the same keys in English and Persian, none empty', () => {
    expect([...fa.keys()].sort()).toEqual([...en.keys()].sort());
    for (const [key, value] of [...en, ...fa]) expect(value.trim(), key).not.toBe('');
  });

  it('have every key the dashboard’s modules name', () => {
    const missing: string[] = [];
    for (const file of sources) {
      for (const [, key] of readFileSync(file, 'utf8').matchAll(/\bt\(\s*'([^']+)'/g)) {
        if (!has(en, key!) || !has(fa, key!)) missing.push(`${path.relative(RENDERER, file)}: ${key}`);
      }
    }
    expect(sources.length).toBeGreaterThan(5);
    expect(missing).toEqual([]);
  });

  it('name every segment, tier, frequency bucket, period, ledger line and KPI the pages build keys for', () => {
    const families = [
      ...SEGMENTS.map((s) => `segmentHelp.${s}`),
      ...TIERS.map((t) => `tier.${t}`),
      ...FREQUENCY_BUCKETS.map((b) => `frequency.${b}`),
      ...PERIOD_PRESETS.map((p) => `period.${p}`),
      ...LOYALTY_FLOWS.map(([line]) => `loyalty.${line}`),
      ...['issued', 'outstanding', 'overdrawn', 'liability'].map((line) => `loyalty.${line}`),
      ...[
        'visits',
        'revenue',
        'averageTicket',
        'activeCustomers',
        'newCustomers',
        'returningCustomers',
        'pointsOutstanding',
        'liability',
      ].map((k) => `kpis.${k}`),
    ];
    expect(families.filter((key) => !has(en, key) || !has(fa, key))).toEqual([]);
  });

  it('put no raw text in the dashboard’s JSX (every visible string comes from t())', () => {
    const raw = rawJsxText(sources, RENDERER, ['desc']);
    expect(raw).toEqual([]);
  });
});
