import { z } from 'zod';
import { CustomerFilterSchema, CustomerSortSchema, EMPTY_FILTER, type CustomerFilter, type CustomerSort } from '../../../sync/model/customer-filter.ts';

// What the customers list shows — search text, filter, order, applied group — kept in the address
// (`#/customers?v=…`) so a link or a reload shows the same list, and in the tab's session storage so leaving
// for the counter and coming back does too. The default view keeps the plain `#/customers` address.

/** The list's view. */
export interface ListView {
  search: string;
  filter: CustomerFilter;
  sort: CustomerSort;
  /** The saved group whose filter is applied (null: a filter of one's own). */
  groupId: string | null;
}

const ViewSchema = z.strictObject({
  search: z.string().max(200),
  filter: CustomerFilterSchema,
  sort: CustomerSortSchema,
  groupId: z.string().max(64).nullable(),
});

/** Everyone, by name. */
export const DEFAULT_VIEW: ListView = { search: '', filter: EMPTY_FILTER, sort: { key: 'name', dir: 'asc' }, groupId: null };

const STORAGE_KEY = 'patron.customers.view';

function parse(text: string | null): ListView | null {
  if (!text) return null;
  try {
    const parsed = ViewSchema.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

/** The view the address names, else the one last shown in this tab, else the default. */
export function initialView(hash: string, storage: Pick<Storage, 'getItem'> | null): ListView {
  const query = hash.split('?')[1] ?? '';
  return parse(new URLSearchParams(query).get('v')) ?? parse(storage?.getItem(STORAGE_KEY) ?? null) ?? DEFAULT_VIEW;
}

/** The address of a view. */
export function hashOfView(view: ListView): string {
  if (JSON.stringify(view) === JSON.stringify(DEFAULT_VIEW)) return '#/customers';
  return `#/customers?${new URLSearchParams({ v: JSON.stringify(view) }).toString()}`;
}

/** Shows `view` in the address (without a new history entry) and remembers it for this tab. */
export function rememberView(view: ListView, storage: Pick<Storage, 'setItem'> | null): void {
  const hash = hashOfView(view);
  if (location.hash !== hash) history.replaceState(null, '', hash);
  storage?.setItem(STORAGE_KEY, JSON.stringify(view));
}
