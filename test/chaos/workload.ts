import type { ChaosModel } from './model.ts';
import type { CounterOp, EditedField } from './messages.ts';
import type { Rng } from './prng.ts';
import type { TerminalHost } from './terminal-host.ts';

// What the chaos suite does, and how often: counter work (what cashiers and managers do) and faults (what
// networks, machines and clocks do). Every value an operation writes is unique to its step, so the final
// check can tell exactly which write a value came from (model.ts).

export const HOUR = 3_600_000;

export type Action =
  | 'createCustomer'
  | 'editCustomer'
  | 'deleteCustomer'
  | 'recordVisit'
  | 'redeem'
  | 'voidVisit'
  | 'rush'
  | 'offline'
  | 'loseResponses'
  | 'duplicatePush'
  | 'crash'
  | 'serverRestart'
  | 'cutConnections'
  | 'blackhole'
  | 'databaseRestart'
  | 'pause';

export const WEIGHTS: Record<Action, number> = {
  createCustomer: 12,
  editCustomer: 22,
  deleteCustomer: 2,
  recordVisit: 18,
  redeem: 9,
  voidVisit: 4,
  rush: 5,
  offline: 5,
  loseResponses: 4,
  duplicatePush: 4,
  crash: 2,
  serverRestart: 1.5,
  cutConnections: 2,
  blackhole: 1,
  databaseRestart: 1.5,
  pause: 4,
};


/** The counter operation for `action`, or null for a fault. Values written are unique per step. */
export function counterOp(action: Action, step: number, rng: Rng, model: ChaosModel, t: TerminalHost, nextPhone: () => string): CounterOp | null {
  switch (action) {
    case 'createCustomer': {
      // Sometimes the same phone another terminal signed up (the server merges the duplicate).
      const others = model.phones().filter((p) => p.by !== t.options.name);
      const phone = others.length > 0 && rng.chance(0.25) ? rng.pick(others).phone : nextPhone();
      return {
        kind: 'createCustomer',
        phone,
        name: `Guest ${step}`,
        email: rng.chance(0.5) ? `g${step}@chaos.test` : null,
        tags: rng.chance(0.5) ? [`s${step}`] : [],
        birthday: rng.chance(0.3) ? dayFor(step) : null,
        notes: rng.chance(0.3) ? `n${step}` : '',
      };
    }
    case 'editCustomer': {
      const fields: EditedField[] = ['name', 'email', 'tags', 'birthday'];
      const chosen = fields.filter(() => rng.chance(0.35));
      const notes = rng.chance(0.35) || chosen.length === 0;
      const changes: Record<string, unknown> = {};
      for (const field of chosen) {
        if (field === 'name') changes.name = `Name ${step}`;
        if (field === 'email') changes.email = `e${step}@chaos.test`;
        if (field === 'tags') changes.tags = rng.chance(0.5) ? [`t${step}`, 'vip'] : [`t${step}`];
        if (field === 'birthday') changes.birthday = dayFor(step);
      }
      return { kind: 'editCustomer', pick: rng.next(), changes, notesAppend: notes ? `n${step}` : null };
    }
    case 'deleteCustomer':
      return { kind: 'deleteCustomer', pick: rng.next() };
    case 'recordVisit':
      return { kind: 'recordVisit', pick: rng.next(), amount: rng.int(5, 300) * 1_000 + rng.int(0, 999) };
    case 'redeem':
      return { kind: 'redeem', pick: rng.next(), fraction: rng.next() * 1.1 };
    case 'voidVisit':
      return { kind: 'voidVisit', pick: rng.next(), reason: `void ${step}` };
    default:
      return null;
  }
}

/** A distinct calendar date per step. */
function dayFor(step: number): string {
  return new Date(Date.UTC(1950, 0, 1) + step * 86_400_000).toISOString().slice(0, 10);
}

export function formatSkew(ms: number): string {
  if (ms === 0) return 'right';
  return `${ms > 0 ? '+' : '−'}${(Math.abs(ms) / HOUR).toFixed(1)} h`;
}

