import { z } from 'zod';
import { IdSchema } from '../../model/common.ts';
import { newId } from '../../model/ids.ts';
import { RewardFieldsSchema, RewardSchema, rewardTypeProblem, type Reward } from '../../model/reward.ts';
import { CurrencyDisplaySchema, ProgramSchema, SegmentRulesSchema, TagCatalogueSchema, TagDefinitionSchema } from '../../model/settings.ts';
import { fromReplica, forStorage } from '../documents.ts';
import { command, refuse } from './command.ts';
import type { CommandEnv } from './env.ts';

// The merchant's settings and rewards catalog (managers). Writes are stamped with the signed-in manager and
// business time; the server checks the role again.

async function patchSettings(env: CommandEnv, patch: Record<string, unknown>, staffId: string): Promise<void> {
  const doc = await env.db.settings.findOne(env.identity.merchantId).exec();
  // Never created here: before the first pull brings the document, a new one would be merged field by field
  // against the server's and could overwrite the business's real settings with defaults.
  if (!doc) refuse('NOT_SYNCED');
  await doc.incrementalPatch({ ...patch, updatedAt: env.now().toISOString(), updatedBy: staffId });
}

/** Saves the unit amounts are shown and typed in (toman or rial; amounts stay stored in rial). */
export const saveCurrencyDisplay = command({
  role: 'manager',
  input: z.strictObject({ currencyDisplay: CurrencyDisplaySchema }),
  async run(env, input, staff) {
    await patchSettings(env, { currencyDisplay: input.currencyDisplay }, staff.id);
  },
});

/** Saves the loyalty program (earning, tiers, expiry, offline cap, adjustment limits, void approval age). */
export const saveProgram = command({
  role: 'manager',
  input: z.strictObject({ program: ProgramSchema }),
  async run(env, input, staff) {
    await patchSettings(env, { program: input.program }, staff.id);
  },
});

/** Saves the segment thresholds. */
export const saveSegments = command({
  role: 'manager',
  input: z.strictObject({ segments: SegmentRulesSchema }),
  async run(env, input, staff) {
    await patchSettings(env, { segments: input.segments }, staff.id);
  },
});

/** The tag catalogue as a manager edits it: names trimmed, each once (case ignored), each with a colour. */
const TagCatalogueInputSchema = z.array(TagDefinitionSchema.extend({ name: z.string().trim().min(1, 'REQUIRED').max(40, 'TOO_LONG') })).pipe(TagCatalogueSchema);

/** Saves the catalogue of tags the counter offers, with their colours. Customers keep tags it no longer lists. */
export const saveTagCatalogue = command({
  role: 'manager',
  input: z.strictObject({ tags: TagCatalogueInputSchema }),
  async run(env, input, staff) {
    await patchSettings(env, { tagCatalogue: input.tags }, staff.id);
  },
});

/**
 * A reward as a manager edits it: a new one without `id`. Dates, when both are set, in order; the fields its type
 * needs (a free item's name, a percentage, an amount) present (model rewardTypeProblem).
 */
export const RewardInputSchema = RewardFieldsSchema.pick({
  name: true,
  description: true,
  type: true,
  pointsCost: true,
  value: true,
  stock: true,
  minTier: true,
  validFrom: true,
  validUntil: true,
  cap: true,
  active: true,
})
  .extend({
    id: IdSchema.optional(),
    name: z.string().trim().min(1).max(100),
    description: z.string().trim().max(500),
    itemName: z.string().trim().max(120).default(''),
    percent: z.int().min(0).max(100).default(0),
    cap: RewardFieldsSchema.shape.cap.default(null),
  })
  .check((ctx) => {
    const { validFrom, validUntil } = ctx.value;
    if (validFrom && validUntil && validUntil < validFrom) ctx.issues.push({ code: 'custom', message: 'DATE_ORDER', input: validUntil, path: ['validUntil'] });
    const problem = rewardTypeProblem(ctx.value);
    if (problem) ctx.issues.push({ code: 'custom', message: problem.code, input: ctx.value[problem.field], path: [problem.field] });
  });

/** Adds a reward to the catalog, or edits one. */
export const saveReward = command({
  role: 'manager',
  input: RewardInputSchema,
  async run(env, input, staff) {
    const { id, ...fields } = input;
    const stamp = { updatedAt: env.now().toISOString(), updatedBy: staff.id };
    const existing = id ? await env.db.rewards.findOne(id).exec() : null;
    if (id && !existing) refuse('NOT_FOUND');
    if (existing) {
      const written = await existing.incrementalPatch({ ...fields, ...stamp });
      return fromReplica<Reward>(written);
    }
    const reward = RewardSchema.parse({ id: newId(), merchantId: env.identity.merchantId, _deleted: false, ...fields, ...stamp });
    await env.db.rewards.insert(forStorage(reward));
    return reward;
  },
});

/** Removes a reward: a tombstone, replicated like any write, so it leaves every terminal's catalog. */
export const removeReward = command({
  role: 'manager',
  input: z.strictObject({ id: IdSchema }),
  async run(env, input, staff) {
    const existing = await env.db.rewards.findOne(input.id).exec();
    if (!existing) refuse('NOT_FOUND');
    // Stamped first: the tombstone names the manager who removed it, whom the server checks.
    const stamped = await existing.incrementalPatch({ updatedAt: env.now().toISOString(), updatedBy: staff.id });
    await stamped.incrementalRemove();
  },
});
