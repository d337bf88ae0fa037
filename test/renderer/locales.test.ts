import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { localeKeys, rawJsxText, RENDERER, sourceFiles } from '../helpers/locale-sources.ts';
import { TIERS } from '../../src/sync/model/common.ts';
import { SEGMENTS } from '../../src/sync/model/segments.ts';
import { PaymentMethodSchema } from '../../src/sync/model/visit.ts';
import { CONSENT_CHANNELS, CONSENT_SOURCES, CONTACT_CHANNELS, CUSTOMER_SOURCES } from '../../src/sync/model/customer.ts';

// The counter's namespaces: the same keys in English and Persian, every key the components use present,
// and no raw text in their JSX. (test/renderer/i18n.test.ts covers the whole app; this one pinpoints the
// counter's files when it fails.)

const NAMESPACES = ['common', 'enrol', 'signin', 'counter', 'customers', 'status'];
const SOURCES = ['features/enrol', 'features/signin', 'features/counter', 'features/customers', 'components'];

const keys = Object.fromEntries(
  NAMESPACES.map((ns) => [ns, { en: localeKeys('en', ns), fa: localeKeys('fa', ns) }]),
);

function has(ns: string, key: string): boolean {
  const table = keys[ns]?.en;
  return !!table && (table.has(key) || (table.has(`${key}_one`) && table.has(`${key}_other`)));
}

const sources = SOURCES.flatMap((dir) => sourceFiles(path.join(RENDERER, dir)));

describe('counter locales', () => {
  it.each(NAMESPACES)('%s has the same keys in English and Persian, none empty', (ns) => {
    const { en, fa } = keys[ns]!;
    expect([...fa.keys()].sort()).toEqual([...en.keys()].sort());
    for (const [key, value] of [...en, ...fa]) expect(value.trim(), `${ns}:${key}`).not.toBe('');
  });

  it('has every key the components and form modules use', () => {
    const missing: string[] = [];
    for (const file of sources) {
      const text = readFileSync(file, 'utf8');
      const ns = /useTranslation\('(\w+)'\)/.exec(text)?.[1] ?? 'common';
      for (const [, key] of text.matchAll(/\bt\(\s*'([^']+)'/g)) {
        const [space, name] = key!.includes(':') ? (key!.split(':') as [string, string]) : [ns, key!];
        if (!has(space, name)) missing.push(`${path.relative(RENDERER, file)}: ${space}:${name}`);
      }
      // Keys returned by pure modules (validation messages) are full keys in string literals.
      for (const [, space, name] of text.matchAll(/'(common|counter|customers|status|signin|enrol):([\w.-]+)'/g)) {
        if (!has(space!, name!)) missing.push(`${path.relative(RENDERER, file)}: ${space}:${name}`);
      }
    }
    expect(missing).toEqual([]);
  });

  it('names every tier, segment, status, payment method, time and role in both languages', () => {
    const expected = [
      ...TIERS.map((v) => `tier.${v}`),
      ...SEGMENTS.map((v) => `segment.${v}`),
      ...['active', 'inactive', 'blocked'].map((v) => `customerStatus.${v}`),
      ...PaymentMethodSchema.options.map((v) => `payment.${v}`),
      ...['morning', 'afternoon', 'evening'].map((v) => `preferredTime.${v}`),
      ...['cashier', 'manager', 'owner'].map((v) => `role.${v}`),
    ];
    for (const key of expected) expect(keys.common!.fa.has(key), key).toBe(true);
    for (const c of ['connecting', 'online', 'offline', 'update-needed', 'revoked', 'not-enrolled', 'server'])
      expect(has('status', `connection.${c}`), c).toBe(true);
    for (const b of ['inactive', 'notYet', 'expired', 'tier', 'outOfStock', 'points'])
      expect(has('counter', `rewardBlock.${b}`), b).toBe(true);
    // The profile's choices and the consent history's words (rendered from data, so the scan above misses them).
    const profile = [
      ...CUSTOMER_SOURCES.map((v) => `sources.${v}`),
      ...CONTACT_CHANNELS.map((v) => `channels.${v}`),
      ...CONSENT_SOURCES.map((v) => `consentSources.${v}`),
      ...CONSENT_CHANNELS.flatMap((c) => [`consentState.${c}.granted`, `consentState.${c}.none`, `consentDecision.${c}.granted`, `consentDecision.${c}.withdrawn`]),
    ];
    for (const key of profile) expect(keys.counter!.fa.has(key) && keys.counter!.en.has(key), key).toBe(true);
  });

  it('puts no raw text in JSX (every visible string comes from t())', () => {
    const raw = rawJsxText(sources, RENDERER);
    expect(raw).toEqual([]);
  });
});
