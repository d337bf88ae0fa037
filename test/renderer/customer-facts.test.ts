// The card's mixed Persian/Latin lists as rendered (react-dom/server, the real i18next resources): every
// favourite, allergy and tag is its own bidi isolate, so a quantity or a Latin word at an item's edge stays
// with that item instead of joining its neighbour, and the separators stay outside the isolates.
import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { beforeAll, describe, expect, it } from 'vitest';
import { AllergyAlert, CustomerFacts } from '../../src/renderer/features/counter/CustomerFacts.tsx';
import { setupI18n } from '../../src/renderer/i18n/setup.ts';
import { newCustomer } from '../../src/sync/model/document-builders.ts';
import { groupProfile } from '../../src/sync/model/merge-group.ts';

const ctx = { merchantId: '0190a4a8-0000-7000-8000-000000000001', storeId: '0190a4a8-0000-7000-8000-000000000002', terminalId: '0190a4a8-0000-7000-8000-000000000003', staffId: '0190a4a8-0000-7000-8000-000000000004', now: '2025-06-01T08:00:00.000Z', offline: false };
const customer = newCustomer(
  { phone: '09121234567', name: 'سارا', preferences: { favorites: ['لاته ×2', 'espresso 1 shot', 'کیک'], allergies: ['بادام', 'gluten 5%'] }, tags: ['VIP 2024', 'همکار'] },
  ctx,
  'IR',
);

let i18n: Awaited<ReturnType<typeof setupI18n>>;
beforeAll(async () => {
  i18n = await setupI18n('fa');
});

/** The items of a rendered list: the text of each `<bdi>` inside the element marked `testId`, and what lies between them. */
function isolates(html: string, testId: string): { items: string[]; between: string[] } {
  const start = html.indexOf(`data-testid="${testId}"`);
  const dd = /<dd[^>]*>(.*?)<\/dd>|<span>(.*?)<\/span>/s.exec(html.slice(start));
  const inner = dd?.[1] ?? dd?.[2] ?? '';
  return {
    items: [...inner.matchAll(/<bdi data-list-item="">(.*?)<\/bdi>/g)].map((m) => m[1]!),
    between: inner.split(/<bdi data-list-item="">.*?<\/bdi>/).filter((part) => part !== ''),
  };
}

describe('mixed Persian/Latin lists on the card', () => {
  it('favourites isolated with the Persian separator between them; tags as isolated chips coloured from the catalogue (fa)', () => {
    const settings = { defaultRegion: 'IR', tagCatalogue: [{ name: 'vip 2024', colour: 'purple' as const }] };
    const html = renderToStaticMarkup(createElement(CustomerFacts, { customer, profile: groupProfile(customer, []), settings }));
    expect(isolates(html, 'fact-favorites')).toEqual({ items: ['لاته ×2', 'espresso 1 shot', 'کیک'], between: ['، ', '، '] });
    // A tag the catalogue lists takes its colour (case ignored); one it does not list still shows, uncoloured.
    const chips = [...html.matchAll(/<bdi class="tag-chip ([\w-]+)" data-tag="([^"]+)">/g)].map((m) => [m[2], m[1]]);
    expect(chips).toEqual([['VIP 2024', 'tag-purple'], ['همکار', 'tag-unknown']]);
  });

  it('allergies: each isolated in the alert (en separator in English)', async () => {
    await i18n.changeLanguage('en');
    const html = renderToStaticMarkup(createElement(AllergyAlert, { allergies: groupProfile(customer, []).allergies }));
    expect(isolates(html, 'customer-allergies')).toEqual({ items: ['بادام', 'gluten 5%'], between: [', '] });
    await i18n.changeLanguage('fa');
  });
});
