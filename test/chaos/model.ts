import type { Customer } from '../../src/sync/model/customer.ts';
import type { InboxItem } from '../../src/sync/model/inbox.ts';
import { balanceOf } from '../../src/sync/model/loyalty.ts';
import type { LoyaltyEntry } from '../../src/sync/model/loyalty-entry.ts';
import type { Visit } from '../../src/sync/model/visit.ts';
import { canonicalJson } from '../../src/sync/model/merge.ts';
import { diffDumps } from './compare.ts';
import { mergeGroupOf } from './counter.ts';
import type { ForgedWrite } from './hostile.ts';
import { EDITED_FIELDS, type Dump, type FieldWrite, type ModelEntry, type OpResult } from './messages.ts';

/**
 * What the harness knows was done at the counters, independent of any replica: every customer signed up,
 * every field value written (with what the writer saw before), every note appended, every delete, visit,
 * void and ledger line. The final state is checked against it.
 */
export class ChaosModel {
  readonly customers = new Map<string, { phone: string; by: string; seq: number }>();
  readonly writes: (FieldWrite & { seq: number; by: string })[] = [];
  readonly notes: { customerId: string; token: string; seq: number; by: string }[] = [];
  readonly deleted = new Map<string, { seq: number; by: string }>();
  readonly visits = new Map<string, { customerId: string; occurredAt: string; by: string }>();
  readonly voided = new Set<string>();
  /** Ledger lines by id; a deterministic id (a reversal voided on two terminals) may have been written twice. */
  readonly entries = new Map<string, ModelEntry[]>();

  /** Phones signed up so far, with the terminal that signed each up. */
  phones(): { phone: string; by: string }[] {
    return [...this.customers.values()].map(({ phone, by }) => ({ phone, by }));
  }

  record(result: OpResult, seq: number, by: string): void {
    for (const c of result.customers ?? []) this.customers.set(c.id, { phone: c.phone, by, seq });
    for (const w of result.writes ?? []) this.writes.push({ ...w, seq, by });
    for (const n of result.notes ?? []) this.notes.push({ ...n, seq, by });
    for (const id of result.deleted ?? []) if (!this.deleted.has(id)) this.deleted.set(id, { seq, by });
    for (const v of result.visits ?? []) this.visits.set(v.id, { customerId: v.customerId, occurredAt: v.occurredAt, by });
    for (const id of result.voided ?? []) this.voided.add(id);
    for (const e of result.entries ?? []) this.entries.set(e.id, [...(this.entries.get(e.id) ?? []), e]);
  }
}

/** Everything the final check reads. */
export interface FinalState {
  server: Dump;
  /** Server version of each row, as `collection/id`. */
  versions: Map<string, string>;
  replicas: { name: string; dump: Dump }[];
  /** Server-derived balance per customer id (the ledger sum over its merge group, computed in SQL). */
  serverBalances: Map<string, number>;
  /** Rows the server quarantined. */
  rejectedWrites: { collection: string; document_id: string | null; code: string; reason: string; terminal_id: string | null; updated_by: string | null; document: Record<string, unknown> | null }[];
}

const MAX_DETAILS = 12;

function parse<T>(json: string): T {
  return JSON.parse(json) as T;
}

function docs<T>(dump: Dump, collection: keyof Dump): T[] {
  return Object.values(dump[collection] ?? {}).map((json) => parse<T>(json));
}

/** The hostile terminal of the run and the forgeries the server answered (hostile.ts). */
export interface HostileRecord {
  terminalId: string;
  forged: readonly ForgedWrite[];
}

/**
 * Runs every invariant; returns the failures (empty = the run passed) and a few counters. The model holds only
 * honest work, so the ledger and balance checks also prove that no forgery reached a balance.
 */
export function checkFinalState(model: ChaosModel, state: FinalState, hostile: HostileRecord = { terminalId: '', forged: [] }): { failures: string[]; facts: Record<string, number> } {
  const failures: string[] = [];
  const facts: Record<string, number> = {};
  const fail = (message: string) => failures.push(message);
  const short = (id: string) => id.slice(-8);

  // 1. Every replica equals the server, document by document, tombstones included (I1, F8, F10).
  for (const { name, dump } of state.replicas) {
    const diffs = diffDumps(state.server, dump);
    if (diffs.length === 0) continue;
    const counts = new Map<string, number>();
    for (const d of diffs) counts.set(`${d.collection} ${d.kind}`, (counts.get(`${d.collection} ${d.kind}`) ?? 0) + 1);
    fail(`replica ${name} differs from the server: ${[...counts].map(([k, n]) => `${n}× ${k}`).join(', ')}`);
    for (const d of diffs.slice(0, 4)) fail(`  ${name} ${d.collection} ${d.id} (server version ${state.versions.get(`${d.collection}/${d.id}`) ?? '—'}) ${d.kind}: server=${clip(d.server)} replica=${clip(d.replica)}`);
  }

  const customers = docs<Customer>(state.server, 'customers');
  const byId = new Map(customers.map((c) => [c.id, c]));
  const entries = docs<LoyaltyEntry>(state.server, 'loyaltyEntries');
  const visits = docs<Visit>(state.server, 'visits');
  const inbox = docs<InboxItem>(state.server, 'inbox');

  // 2. The ledger is exact (I7): every line created anywhere exists once, unchanged; nothing else exists.
  const serverEntries = new Map(entries.map((e) => [e.id, e]));
  let ledgerProblems = 0;
  for (const [id, variants] of model.entries) {
    const stored = serverEntries.get(id);
    if (!stored) {
      if (ledgerProblems++ < MAX_DETAILS) fail(`ledger: entry ${id} (${variants[0]!.kind} ${variants[0]!.points} for ${short(variants[0]!.customerId)}) is missing on the server`);
      continue;
    }
    if (stored._deleted) fail(`ledger: entry ${id} is a tombstone on the server`);
    const match = variants.find((v) => v.points === stored.points && v.customerId === stored.customerId && v.kind === stored.kind && v.visitId === stored.visitId);
    if (!match && ledgerProblems++ < MAX_DETAILS) fail(`ledger: entry ${id} changed on the server: ${canonicalJson(stored)} vs written ${canonicalJson(variants)}`);
    // F4: business timestamps are kept as the (possibly skewed) terminal wrote them.
    if (!variants.some((v) => v.occurredAt === stored.occurredAt) && ledgerProblems++ < MAX_DETAILS) fail(`ledger: entry ${id} occurredAt ${stored.occurredAt} is none of the written ${variants.map((v) => v.occurredAt).join(', ')}`);
  }
  for (const e of entries) if (!model.entries.has(e.id) && ledgerProblems++ < MAX_DETAILS) fail(`ledger: entry ${e.id} on the server was never created by a terminal`);
  facts.entries = entries.length;

  // Visits: all there, business time kept, voids applied; nothing invented.
  const serverVisits = new Map(visits.map((v) => [v.id, v]));
  let visitProblems = 0;
  for (const [id, v] of model.visits) {
    const stored = serverVisits.get(id);
    if (!stored) {
      if (visitProblems++ < MAX_DETAILS) fail(`visit ${id} for ${short(v.customerId)} is missing on the server`);
    } else if (stored.occurredAt !== v.occurredAt && visitProblems++ < MAX_DETAILS) fail(`visit ${id}: occurredAt ${stored.occurredAt} ≠ written ${v.occurredAt}`);
    else if (model.voided.has(id) && !stored.voided && visitProblems++ < MAX_DETAILS) fail(`visit ${id} was voided but is not voided on the server`);
  }
  for (const v of visits) if (!model.visits.has(v.id) && visitProblems++ < MAX_DETAILS) fail(`visit ${v.id} on the server was never recorded by a terminal`);
  facts.visits = visits.length;

  // 3. Balances equal the ledger sum: model = server (SQL, following merges) = every terminal (its replica).
  const modelSum = new Map<string, number>();
  for (const variants of model.entries.values()) {
    const e = variants[0]!;
    modelSum.set(e.customerId, (modelSum.get(e.customerId) ?? 0) + e.points);
  }
  const replicaViews = state.replicas.map(({ name, dump }) => ({ name, customers: docs<Customer>(dump, 'customers'), entries: docs<LoyaltyEntry>(dump, 'loyaltyEntries') }));
  let balanceProblems = 0;
  let negative = 0;
  for (const customer of customers) {
    const group = mergeGroupOf(customers, customer.id);
    const expected = [...group].reduce((sum, id) => sum + (modelSum.get(id) ?? 0), 0);
    const server = state.serverBalances.get(customer.id);
    if (server !== expected && balanceProblems++ < MAX_DETAILS) fail(`balance of ${short(customer.id)}: server ${server} ≠ ledger model ${expected}`);
    for (const view of replicaViews) {
      const localGroup = mergeGroupOf(view.customers, customer.id);
      const local = balanceOf(view.entries.filter((e) => localGroup.has(e.customerId)));
      if (local !== expected && balanceProblems++ < MAX_DETAILS) fail(`balance of ${short(customer.id)} on ${view.name}: ${local} ≠ ledger model ${expected}`);
    }
    // An overdraft is kept (it happened at the till) and raised in the inbox, never silent.
    if (customer.mergedInto === null && expected < 0) {
      negative += 1;
      if (!inbox.some((item) => item.kind === 'overdraft' && item.customerId !== null && group.has(item.customerId))) fail(`balance of ${short(customer.id)} is ${expected} and no overdraft was raised in the inbox`);
    }
  }
  facts.negativeBalances = negative;
  facts.overdrafts = inbox.filter((i) => i.kind === 'overdraft').length;

  // 4. Customers: every sign-up exists; deletes stay deleted everywhere (tombstones never resurrect); no
  // customer is deleted that nobody deleted.
  for (const [id, c] of model.customers) if (!byId.has(id)) fail(`customer ${id} (${c.phone}, signed up on ${c.by}) is missing on the server`);
  for (const c of customers) if (!model.customers.has(c.id)) fail(`customer ${c.id} on the server was never signed up by a terminal`);
  for (const [id, d] of model.deleted) {
    if (byId.get(id)?._deleted !== true) fail(`customer ${short(id)} deleted on ${d.by} (op #${d.seq}) is alive on the server`);
    for (const view of replicaViews) {
      const local = view.customers.find((c) => c.id === id);
      if (local && !local._deleted) fail(`customer ${short(id)} deleted on ${d.by} came back on ${view.name}`);
    }
  }
  for (const c of customers) if (c._deleted && !model.deleted.has(c.id)) fail(`customer ${short(c.id)} is deleted on the server, but no terminal deleted it`);
  facts.deleted = customers.filter((c) => c._deleted).length;

  // 5. No field edit is silently lost (I4): each value written either is the final value, or was overwritten
  // by a write made by someone who had seen it, or is recorded as a conflict on the customer. Values are
  // unique per write, so "the writer's previous value" names exactly the write it overwrote.
  let lost = 0;
  let unverifiable = 0;
  const writesBy = new Map<string, (FieldWrite & { seq: number; by: string })[]>();
  for (const w of model.writes) writesBy.set(`${w.customerId}\u0000${w.field}`, [...(writesBy.get(`${w.customerId}\u0000${w.field}`) ?? []), w]);
  const quarantined = new Set(state.rejectedWrites.filter((r) => r.collection === 'customers').map((r) => r.document_id));
  const context = (c: Customer) => `${c.mergedInto ? `, merged into ${short(c.mergedInto)}` : ''}${quarantined.has(c.id) ? ', a write of it was quarantined' : ''}`;
  for (const customer of customers) {
    if (customer._deleted) continue; // a delete wins whole (docs/architecture.md#deletes), by design
    for (const field of EDITED_FIELDS) {
      const writes = writesBy.get(`${customer.id}\u0000${field}`) ?? [];
      const final = canonicalJson(customer[field]);
      const recorded = customer.conflicts.filter((c) => c.field === field);
      for (const w of writes) {
        const value = canonicalJson(w.value);
        if (value === final) continue;
        if (field === 'tags') {
          // Tags merge as a set (merge.ts `mergeSet`): what must survive is each tag this write added,
          // unless a later writer who had seen it removed it, or the merge fell back and recorded a loser.
          const finalTags = new Set(customer.tags);
          const added = (w.value as string[]).filter((tag) => !((w.prev as string[] | undefined) ?? []).includes(tag));
          const missing = added.filter(
            (tag) =>
              !finalTags.has(tag) &&
              !writes.some((later) => later.seq > w.seq && ((later.prev as string[] | undefined) ?? []).includes(tag) && !(later.value as string[]).includes(tag)) &&
              !recorded.some((c) => (JSON.parse(c.lost) as unknown[]).includes(tag)),
          );
          if (missing.length === 0) continue;
          if (customer.conflicts.length >= 20) {
            unverifiable += 1;
            continue;
          }
          if (lost++ < MAX_DETAILS) fail(`edit lost: tags ${canonicalJson(missing)} added on ${short(customer.id)} (written on ${w.by}, op #${w.seq}, business time ${w.at}); server has ${final}${context(customer)}`);
          continue;
        }
        if (writes.some((later) => later.seq > w.seq && later.prev !== undefined && canonicalJson(later.prev) === value)) continue;
        if (recorded.some((c) => c.lost === value)) continue;
        if (customer.conflicts.length >= 20) {
          unverifiable += 1; // the recorded list is capped; older conflicts may have been dropped
          continue;
        }
        if (lost++ < MAX_DETAILS) {
          fail(`edit lost: ${field} = ${value} on ${short(customer.id)} (written on ${w.by}, op #${w.seq}, business time ${w.at}); server has ${final}; conflicts: ${canonicalJson(recorded)}${context(customer)}`);
        }
      }
    }
  }
  for (const note of model.notes) {
    const customer = byId.get(note.customerId);
    if (!customer || customer._deleted) continue;
    if (customer.timeline.some((entry) => entry.text === note.token)) continue;
    if (customer.conflicts.some((c) => c.field === 'timeline' && c.lost.includes(note.token))) continue;
    if (lost++ < MAX_DETAILS) fail(`note lost: "${note.token}" on ${short(note.customerId)} (written on ${note.by}, op #${note.seq}); timeline now ${JSON.stringify(customer.timeline.map((entry) => entry.text))}${context(customer)}`);
  }
  facts.lostEdits = lost;
  facts.unverifiableEdits = unverifiable;
  facts.recordedConflicts = customers.reduce((sum, c) => sum + c.conflicts.length, 0);

  // 6. Duplicates merged and visible: per phone at most one live customer without `mergedInto`, and every
  // merged customer named in a duplicate inbox item.
  const roots = new Map<string, string[]>();
  for (const c of customers) if (!c._deleted && c.mergedInto === null) roots.set(c.phone, [...(roots.get(c.phone) ?? []), c.id]);
  for (const [phone, ids] of roots) if (ids.length > 1) fail(`duplicates not merged: ${ids.length} live customers with ${phone} (${ids.map(short).join(', ')})`);
  const merged = customers.filter((c) => c.mergedInto !== null);
  for (const c of merged) {
    if (!byId.has(c.mergedInto!)) fail(`customer ${short(c.id)} is merged into ${c.mergedInto}, which does not exist`);
    if (!inbox.some((i) => i.kind === 'duplicate' && i.relatedId === c.id)) fail(`merge of ${short(c.id)} into ${short(c.mergedInto!)} is not in the inbox`);
  }
  facts.merged = merged.length;

  // 7. Nothing the counters did legitimately was quarantined (a refusal would be a lost write).
  const honestRefusals = state.rejectedWrites.filter((r) => r.terminal_id !== hostile.terminalId);
  for (const r of honestRefusals.slice(0, MAX_DETAILS)) {
    const stored = r.document_id ? state.server[r.collection as keyof Dump]?.[r.document_id] : undefined;
    const current = stored ? parse<Record<string, unknown>>(stored) : {};
    const changed = Object.keys({ ...current, ...r.document })
      .filter((k) => canonicalJson(current[k]) !== canonicalJson(r.document?.[k]))
      .map((k) => `${k}: ${clip(canonicalJson(r.document?.[k]))} (server now ${clip(canonicalJson(current[k]))})`);
    fail(`server quarantined a write: ${r.collection} ${r.document_id} from terminal ${r.terminal_id?.slice(-8)}, updatedBy ${r.updated_by}: ${r.code} (${r.reason}); pushed ${changed.join('; ')}`);
  }
  facts.quarantined = honestRefusals.length;

  // 8. Every forgery the server answered was quarantined as the hostile terminal's, and none is stored.
  const refusedForgeries = new Set(state.rejectedWrites.filter((r) => r.terminal_id === hostile.terminalId).map((r) => `${r.collection}/${r.document_id}`));
  for (const forged of hostile.forged) {
    if (!refusedForgeries.has(`${forged.collection}/${forged.id}`)) fail(`forgery ${forged.kind} (${forged.collection} ${forged.id}) was not quarantined`);
    if (state.server[forged.collection as keyof Dump]?.[forged.id] !== undefined) fail(`forgery ${forged.kind} (${forged.collection} ${forged.id}) is stored on the server`);
  }
  facts.forgeries = hostile.forged.length;
  facts.forgeriesQuarantined = hostile.forged.filter((f) => refusedForgeries.has(`${f.collection}/${f.id}`)).length;
  return { failures, facts };
}

function clip(text: string | undefined): string {
  if (text === undefined) return '—';
  return text.length > 400 ? `${text.slice(0, 400)}…` : text;
}
