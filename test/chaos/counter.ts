import type { PatronDatabase } from '../../src/sync/client/database.ts';
import { TIMELINE_MAX, type Customer } from '../../src/sync/model/customer.ts';
import { editCustomer, ledgerEntry, newCustomer, newVisit, noteEntry, voidVisit, type WriteContext } from '../../src/sync/model/document-builders.ts';
import { earnEntryId, reversalEntryId } from '../../src/sync/model/ids.ts';
import { checkRedeem, pointsForVisit, summarize } from '../../src/sync/model/loyalty.ts';
import type { LoyaltyEntry } from '../../src/sync/model/loyalty-entry.ts';
import { DEFAULT_PROGRAM, type Program } from '../../src/sync/model/settings.ts';
import type { Visit } from '../../src/sync/model/visit.ts';
import { stripLocalMeta } from './compare.ts';
import { EDITED_FIELDS, type CounterOp, type FieldWrite, type ModelEntry, type OpResult } from './messages.ts';

/** Who works at this counter, and how the terminal sees its connection and last sync. */
export interface CounterEnv {
  db: PatronDatabase;
  merchantId: string;
  storeId: string;
  terminalId: string;
  cashierId: string;
  managerId: string;
  online(): boolean;
  /** Device time of the last pull that reached the end of the feed (null: none since start). */
  lastSyncAt(): string | null;
}

const REGION = 'IR';

function ctxOf(env: CounterEnv, staffId: string): WriteContext {
  return { merchantId: env.merchantId, storeId: env.storeId, terminalId: env.terminalId, staffId, now: new Date().toISOString(), offline: !env.online() };
}

function withoutDeleted<T extends { _deleted?: boolean }>(doc: T): Omit<T, '_deleted'> {
  const { _deleted: _ignored, ...rest } = doc;
  return rest;
}

function asEntry(e: LoyaltyEntry): ModelEntry {
  return { id: e.id, customerId: e.customerId, kind: e.kind, points: e.points, occurredAt: e.occurredAt, visitId: e.visitId };
}

async function liveCustomers(db: PatronDatabase): Promise<Customer[]> {
  const docs = await db.customers.find().exec();
  return docs.map((d) => ({ ...d.toMutableJSON(), _deleted: false }) as Customer).sort((a, b) => (a.id < b.id ? -1 : 1));
}

/**
 * The customer a cashier would be looking at for `pick` (0..1): reads follow `mergedInto` to the surviving
 * customer when this terminal already knows it (docs/architecture.md#duplicates).
 */
function pickCustomer(customers: readonly Customer[], pick: number, followMerges: boolean): Customer | null {
  if (customers.length === 0) return null;
  let customer = customers[Math.min(customers.length - 1, Math.floor(pick * customers.length))]!;
  if (!followMerges) return customer;
  const byId = new Map(customers.map((c) => [c.id, c]));
  for (let hop = 0; hop < 10 && customer.mergedInto; hop++) {
    const next = byId.get(customer.mergedInto);
    if (!next) break;
    customer = next;
  }
  return customer;
}

/** Ids of the merge group of `root` among the given customers (root and everything whose chain leads to it). */
export function mergeGroupOf(customers: readonly { id: string; mergedInto: string | null }[], customerId: string): Set<string> {
  const byId = new Map(customers.map((c) => [c.id, c]));
  const rootOf = (id: string): string => {
    let current = id;
    for (let hop = 0; hop < 10; hop++) {
      const next = byId.get(current)?.mergedInto;
      if (!next) break;
      current = next;
    }
    return current;
  };
  const root = rootOf(customerId);
  return new Set([root, ...customers.filter((c) => rootOf(c.id) === root).map((c) => c.id)]);
}

async function program(env: CounterEnv): Promise<Program> {
  const settings = await env.db.settings.findOne(env.merchantId).exec();
  return (settings?.toMutableJSON().program as Program | undefined) ?? DEFAULT_PROGRAM;
}

async function groupEntries(env: CounterEnv, customers: readonly Customer[], customerId: string): Promise<{ group: Set<string>; entries: LoyaltyEntry[] }> {
  const group = mergeGroupOf(customers, customerId);
  const docs = await env.db.loyaltyEntries.find({ selector: { customerId: { $in: [...group] } } }).exec();
  return { group, entries: docs.map((d) => ({ ...d.toMutableJSON(), _deleted: false }) as LoyaltyEntry) };
}

/** Performs one counter operation on the terminal's local replica (the UI's writes; replication does the rest). */
export async function runCounterOp(env: CounterEnv, op: CounterOp): Promise<OpResult> {
  const { db } = env;
  switch (op.kind) {
    case 'createCustomer': {
      const ctx = ctxOf(env, env.cashierId);
      const customer = newCustomer({ phone: op.phone, name: op.name, email: op.email, tags: op.tags, birthday: op.birthday, notes: op.notes }, ctx, REGION);
      await db.customers.insert(withoutDeleted(customer));
      const writes: FieldWrite[] = EDITED_FIELDS.map((field) => ({ customerId: customer.id, field, value: customer[field], prev: undefined, at: ctx.now }));
      return {
        summary: `sign-up ${customer.id.slice(-6)} ${customer.phone}${ctx.offline ? ' (offline)' : ''}`,
        customers: [{ id: customer.id, phone: customer.phone }],
        writes,
        notes: op.notes ? [{ customerId: customer.id, token: op.notes }] : [],
      };
    }
    case 'editCustomer': {
      const picked = pickCustomer(await liveCustomers(db), op.pick, true);
      if (!picked) return { summary: 'edit: no customer', skipped: 'no customer' };
      const doc = await db.customers.findOne(picked.id).exec();
      if (!doc) return { summary: 'edit: customer vanished', skipped: 'vanished' };
      const ctx = ctxOf(env, env.cashierId);
      // The edit is applied to the document as it is at write time (replication may have changed it since
      // the pick), the way a form patches the fields it changed.
      let before: Customer | null = null;
      let edited: Customer | null = null;
      let full = false;
      await doc.incrementalModify((data) => {
        before = null;
        edited = null;
        // Deleted meanwhile (pulled from another terminal): nothing to edit any more.
        if (data._deleted) return data;
        const current = { ...stripLocalMeta(data), _deleted: false } as unknown as Customer;
        full = op.notesAppend !== undefined && current.timeline.length >= TIMELINE_MAX;
        before = current;
        const changed = editCustomer(current, op.changes, ctx, REGION);
        edited = op.notesAppend && !full ? { ...changed, timeline: [...changed.timeline, noteEntry(op.notesAppend, ctx)] } : changed;
        return { ...data, ...withoutDeleted(edited) };
      });
      const prev = before as Customer | null;
      const next = edited as Customer | null;
      if (!prev || !next) return { summary: 'edit: not applied', skipped: 'not applied' };
      const writes: FieldWrite[] = (Object.keys(op.changes) as (keyof typeof op.changes)[]).map((field) => ({
        customerId: picked.id,
        field,
        value: next[field],
        prev: prev[field],
        at: ctx.now,
      }));
      const appended = op.notesAppend && !full;
      return {
        summary: `edit ${picked.id.slice(-6)} ${Object.keys(op.changes).join(',')}${appended ? '+notes' : ''}${ctx.offline ? ' (offline)' : ''}`,
        writes,
        notes: appended ? [{ customerId: picked.id, token: op.notesAppend! }] : [],
      };
    }
    case 'deleteCustomer': {
      const current = pickCustomer(await liveCustomers(db), op.pick, false);
      if (!current) return { summary: 'delete: no customer', skipped: 'no customer' };
      const doc = await db.customers.findOne(current.id).exec();
      if (!doc) return { summary: 'delete: customer vanished', skipped: 'vanished' };
      // A manager deletes (cashiers may not): one write that stamps the manager and tombstones.
      const ctx = ctxOf(env, env.managerId);
      await doc.incrementalModify((data) => ({ ...data, updatedAt: ctx.now, updatedBy: env.managerId, _deleted: true }));
      if (await db.customers.findOne(current.id).exec()) return { summary: `delete ${current.id.slice(-6)}: not applied`, skipped: 'not applied' };
      return { summary: `delete ${current.id.slice(-6)}${ctx.offline ? ' (offline)' : ''}`, deleted: [current.id] };
    }
    case 'recordVisit': {
      const customers = await liveCustomers(db);
      const customer = pickCustomer(customers, op.pick, true);
      if (!customer) return { summary: 'visit: no customer', skipped: 'no customer' };
      const rules = await program(env);
      const { entries } = await groupEntries(env, customers, customer.id);
      const tier = summarize(entries, rules).tier;
      const points = pointsForVisit({ total: op.amount, tier }, rules);
      const ctx = ctxOf(env, env.cashierId);
      const { visit, earn } = newVisit({ customerId: customer.id, items: [], amount: op.amount, currency: 'IRR', paymentMethod: 'cash' }, points, ctx);
      await db.visits.insert(withoutDeleted(visit));
      if (earn) await db.loyaltyEntries.insert(withoutDeleted(earn));
      return {
        summary: `visit ${visit.id.slice(-6)} for ${customer.id.slice(-6)} +${points}${ctx.offline ? ' (offline)' : ''}`,
        visits: [{ id: visit.id, customerId: customer.id, occurredAt: visit.occurredAt }],
        entries: earn ? [asEntry(earn)] : [],
      };
    }
    case 'redeem': {
      const customers = await liveCustomers(db);
      const customer = pickCustomer(customers, op.pick, true);
      if (!customer) return { summary: 'redeem: no customer', skipped: 'no customer' };
      const rules = await program(env);
      const { group, entries } = await groupEntries(env, customers, customer.id);
      const balance = summarize(entries, rules).balance;
      const points = Math.max(1, Math.round(op.fraction * (balance + 40)));
      const ctx = ctxOf(env, env.cashierId);
      const lastSync = env.lastSyncAt();
      const dataAgeHours = lastSync ? Math.max(0, (Date.now() - Date.parse(lastSync)) / 3_600_000) : Number.POSITIVE_INFINITY;
      const today = ctx.now.slice(0, 10);
      const offlineRedeemedToday = entries
        .filter((e) => e.kind === 'redeem' && e.offline && e.terminalId === env.terminalId && group.has(e.customerId) && e.occurredAt.slice(0, 10) === today)
        .reduce((sum, e) => sum - e.points, 0);
      const verdict = checkRedeem({ entries, points, online: !ctx.offline, dataAgeHours, offlineRedeemedToday, now: new Date(ctx.now) }, rules);
      if (!verdict.ok) return { summary: `redeem ${points} for ${customer.id.slice(-6)} refused: ${verdict.code}`, skipped: verdict.code };
      const entry = ledgerEntry({ kind: 'redeem', points: -points, customerId: customer.id }, ctx);
      await db.loyaltyEntries.insert(withoutDeleted(entry));
      return { summary: `redeem ${points} of ${balance} for ${customer.id.slice(-6)}${ctx.offline ? ' (offline)' : ''}`, entries: [asEntry(entry)] };
    }
    case 'voidVisit': {
      const docs = await db.visits.find({ selector: { voided: false } }).exec();
      const visits = docs.map((d) => ({ ...d.toMutableJSON(), _deleted: false }) as Visit).sort((a, b) => (a.id < b.id ? -1 : 1));
      if (visits.length === 0) return { summary: 'void: no visit', skipped: 'no visit' };
      const visit = visits[Math.min(visits.length - 1, Math.floor(op.pick * visits.length))]!;
      const earnDoc = visit.pointsEarned > 0 ? await db.loyaltyEntries.findOne(earnEntryId(visit.id)).exec() : null;
      // The counter reverses the earning it can see; without it here yet, it waits (as the UI would).
      if (visit.pointsEarned > 0 && !earnDoc) return { summary: `void ${visit.id.slice(-6)}: earning not here yet`, skipped: 'no earning' };
      const earn = earnDoc ? ({ ...earnDoc.toMutableJSON(), _deleted: false } as LoyaltyEntry) : null;
      if (earn && (await db.loyaltyEntries.findOne(reversalEntryId(earn.id)).exec())) return { summary: `void ${visit.id.slice(-6)}: already reversed`, skipped: 'reversed' };
      const ctx = ctxOf(env, env.cashierId);
      const { visit: voided, reversal } = voidVisit(visit, earn, op.reason, ctx);
      const doc = await db.visits.findOne(visit.id).exec();
      if (!doc) return { summary: 'void: visit vanished', skipped: 'vanished' };
      let applied = false;
      await doc.incrementalModify((data) => {
        // Voided meanwhile (pulled from another terminal): a void is never rewritten.
        applied = !data.voided;
        return applied ? { ...data, ...withoutDeleted(voided) } : data;
      });
      if (!applied) return { summary: `void ${visit.id.slice(-6)}: voided meanwhile`, skipped: 'voided meanwhile' };
      if (reversal) await db.loyaltyEntries.insert(withoutDeleted(reversal));
      return {
        summary: `void ${visit.id.slice(-6)}${reversal ? ` −${-reversal.points}` : ''}${ctx.offline ? ' (offline)' : ''}`,
        voided: [visit.id],
        entries: reversal ? [asEntry(reversal)] : [],
      };
    }
  }
}
