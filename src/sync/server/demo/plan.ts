import { HOUR_MS } from '../../model/dates.ts';
import { v5 as uuidv5 } from 'uuid';
import { PATRON_ID_NAMESPACE } from '../../model/ids.ts';
import { STAFF, STORES, REWARDS, TAGS } from './catalog.ts';

// The demo merchant's fixed identity. Ids are UUIDv5 of fixed names, so every run (and every machine)
// finds the same demo merchant, stores, staff and rewards: "create if absent" is a lookup by id, and an
// interrupted load resumes by inserting only the documents that are missing.

function demoId(name: string): string {
  return uuidv5(`patron-demo:${name}`, PATRON_ID_NAMESPACE);
}

/** The demo merchant as the CLI creates it. */
export const DEMO_MERCHANT = {
  id: demoId('merchant'),
  name: 'Café Patron',
  currency: 'IRR',
  defaultRegion: 'IR',
  locale: 'fa',
  timeZone: 'Asia/Tehran',
  // The take-away tag is left out on purpose: the counter shows a tag the catalogue lacks, uncoloured.
  tagCatalogue: [
    { name: TAGS.vip, colour: 'purple' },
    { name: TAGS.student, colour: 'blue' },
    { name: TAGS.office, colour: 'teal' },
  ],
} as const;

/** Asia/Tehran is UTC+03:30 all year (Iran dropped daylight saving time in 2022). */
export const TEHRAN_OFFSET_MS = 3.5 * HOUR_MS;

/** A demo store with the (not enrolled) terminal its sample visits are attributed to. */
export interface DemoStore {
  id: string;
  key: string;
  name: string;
  address: string;
  terminalId: string;
}

/** A demo staff member with the PIN printed to the operator. */
export interface DemoStaff {
  id: string;
  key: string;
  name: string;
  role: 'cashier' | 'manager' | 'owner';
  pin: string;
  storeIds: string[];
}

/** Every fixed id and name of the demo merchant. */
export interface DemoPlan {
  merchantId: string;
  stores: DemoStore[];
  staff: DemoStaff[];
  rewardIds: Record<string, string>;
}

/** The demo plan (pure: the same on every call). */
export function demoPlan(): DemoPlan {
  const stores: DemoStore[] = STORES.map((store) => ({
    id: demoId(`store:${store.key}`),
    key: store.key,
    name: store.name,
    address: store.address,
    // Sample visits name a terminal as every visit must; no such terminal is enrolled.
    terminalId: demoId(`terminal:${store.key}`),
  }));
  const staff: DemoStaff[] = STAFF.map((member) => {
    const store = member.store === null ? undefined : stores[member.store];
    return { id: demoId(`staff:${member.key}`), key: member.key, name: member.name, role: member.role, pin: member.pin, storeIds: store ? [store.id] : [] };
  });
  const rewardIds = Object.fromEntries(REWARDS.map((reward) => [reward.key, demoId(`reward:${reward.key}`)]));
  return { merchantId: DEMO_MERCHANT.id, stores, staff, rewardIds };
}
