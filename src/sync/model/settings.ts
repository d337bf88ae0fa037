import { z } from 'zod';
import {
  DocumentBaseShape,
  IdSchema,
  NonNegativeIntSchema,
  RecordedConflictSchema,
  TIERS,
  TierSchema,
} from './common.ts';
import { StampCardSchema } from './stamp-card.ts';

/** A tier's entry threshold (lifetime earned points), earning multiplier and perks shown at the counter. */
export const TierRuleSchema = z.strictObject({
  tier: TierSchema,
  threshold: NonNegativeIntSchema,
  multiplier: z.number().min(1).max(10),
  /** Benefits of the tier ("free oat milk"), shown on the customer card. */
  perks: z.array(z.string().trim().min(1).max(80)).max(10),
});
/** A tier rule. */
export type TierRule = z.infer<typeof TierRuleSchema>;

/** Thresholds for the recency / frequency / spend segments (segments.ts). */
export const SegmentRulesSchema = z.strictObject({
  /** A customer whose first visit is at most this many days ago is `new`. */
  newDays: z.int().min(1).max(365),
  /** Window over which frequency and spend are measured. */
  windowDays: z.int().min(7).max(3650),
  /** Visits in the window to count as `regular`. */
  regularMinVisits: z.int().min(1).max(1000),
  /** Visits in the window to count as VIP (together with the spend). */
  vipMinVisits: z.int().min(1).max(10_000),
  /** Spend in the window (minor units) to count as VIP. */
  vipMinSpend: NonNegativeIntSchema,
  /** Days since the last visit after which a customer is `at-risk`. */
  atRiskDays: z.int().min(1).max(3650),
  /** Days since the last visit after which a customer is `churned`. */
  churnedDays: z.int().min(1).max(3650),
}).check((ctx) => {
  // Otherwise a segment silently becomes unreachable.
  if (ctx.value.atRiskDays >= ctx.value.churnedDays)
    ctx.issues.push({ code: 'custom', message: 'at-risk must come before churned', input: ctx.value.atRiskDays, path: ['atRiskDays'] });
  if (ctx.value.vipMinVisits < ctx.value.regularMinVisits)
    ctx.issues.push({ code: 'custom', message: 'VIP needs at least the visits of a regular', input: ctx.value.vipMinVisits, path: ['vipMinVisits'] });
});
/** Segment thresholds. */
export type SegmentRules = z.infer<typeof SegmentRulesSchema>;

/** The merchant's loyalty program. */
export const ProgramSchema = z
  .strictObject({
    /** `earnPoints` points for every `earnPer` minor units paid (seed 001: 1 point per 1000 IRR). */
    earnPoints: z.int().min(0).max(1_000_000),
    earnPer: z.int().min(1).max(Number.MAX_SAFE_INTEGER),
    /** Flat points added to every visit with a customer. */
    visitBonus: z.int().min(0).max(1_000_000),
    tiers: z.array(TierRuleSchema).length(TIERS.length),
    /** Earned points expire after this many days, oldest first; null = never. */
    expiryDays: z.int().min(1).max(3650).nullable(),
    /** Points a terminal may redeem per customer while offline. */
    offlineRedeemCap: NonNegativeIntSchema,
    /** Offline redemption is refused when the replica is older than this. */
    offlineMaxDataAgeHours: z.int().min(0).max(24 * 365),
    /** Largest manual adjustment (absolute points) a cashier may make. */
    cashierAdjustLimit: NonNegativeIntSchema,
    /** Largest manual adjustment (absolute points) a manager may make; owners have no limit. */
    managerAdjustLimit: NonNegativeIntSchema,
    /** A void or refund of a visit older than this many days needs a manager's PIN. */
    voidApprovalAgeDays: z.int().min(1).max(3650),
    /**
     * Whether visits earn points (absent = yes) and the stamp card (absent or null = none): points, stamps or
     * both (stamp-card.ts `programKinds`). Optional, so a programme without them is valid and no stored one needs a rewrite.
     */
    earnsPoints: z.boolean().optional(),
    stampCard: StampCardSchema.nullable().optional(),
    /** The reward offered in a customer's birthday week (once a year); null = no birthday reward. */
    birthdayRewardId: IdSchema.nullable(),
  })
  .check((ctx) => {
    const tiers = ctx.value.tiers;
    tiers.forEach((rule, i) => {
      if (rule.tier !== TIERS[i])
        ctx.issues.push({ code: 'custom', message: `tier ${i} must be ${TIERS[i]}`, input: rule.tier, path: ['tiers', i, 'tier'] });
      const prev = tiers[i - 1];
      if (prev && rule.threshold <= prev.threshold)
        ctx.issues.push({ code: 'custom', message: 'tier thresholds must increase', input: rule.threshold, path: ['tiers', i, 'threshold'] });
    });
    if (tiers[0] && tiers[0].threshold !== 0)
      ctx.issues.push({ code: 'custom', message: 'the first tier starts at 0', input: tiers[0].threshold, path: ['tiers', 0, 'threshold'] });
    // Otherwise a manager could approve less than a cashier may do alone.
    if (ctx.value.managerAdjustLimit < ctx.value.cashierAdjustLimit)
      ctx.issues.push({ code: 'custom', message: 'the manager limit covers the cashier limit', input: ctx.value.managerAdjustLimit, path: ['managerAdjustLimit'] });
    if (ctx.value.earnsPoints === false && !ctx.value.stampCard)
      ctx.issues.push({ code: 'custom', message: 'NOTHING_TO_EARN', input: ctx.value.earnsPoints, path: ['earnsPoints'] });
  });
/** The loyalty program. */
export type Program = z.infer<typeof ProgramSchema>;

/** One location of the merchant. */
export const StoreSchema = z.strictObject({
  id: IdSchema,
  name: z.string().min(1).max(100),
  address: z.string().max(300),
});
/** A store. */
export type Store = z.infer<typeof StoreSchema>;

/** Supported UI locales. */
export const LocaleSchema = z.enum(['en', 'fa']);
/** A UI locale. */
export type Locale = z.infer<typeof LocaleSchema>;

/**
 * The unit amounts are shown and typed in. Only Iranian rial has a second unit: the toman (10 rial), which is
 * how people in Iran think and talk about prices. Amounts are stored in rial either way.
 */
export const CurrencyDisplaySchema = z.enum(['rial', 'toman']);
/** How amounts are shown. */
export type CurrencyDisplay = z.infer<typeof CurrencyDisplaySchema>;

/** Colours a catalogue tag can have: names of the app's palette, never raw CSS a terminal could inject. */
export const TAG_COLOURS = ['grey', 'red', 'orange', 'yellow', 'green', 'teal', 'blue', 'purple', 'pink'] as const;
/** A tag colour. */
export const TagColourSchema = z.enum(TAG_COLOURS);
/** A tag colour. */
export type TagColour = z.infer<typeof TagColourSchema>;

/** One tag of the merchant's catalogue: a name (as customers' `tags` hold it) and its colour. */
export const TagDefinitionSchema = z.strictObject({
  name: z.string().min(1).max(40),
  colour: TagColourSchema,
});
/** A catalogue tag. */
export type TagDefinition = z.infer<typeof TagDefinitionSchema>;

/** A tag name as compared: trimmed, case ignored ("VIP" and "vip" are one tag). */
export function tagKey(name: string): string {
  return name.trim().toLocaleLowerCase();
}

/** Most tags the catalogue holds. */
export const TAG_CATALOGUE_MAX = 60;

/** The catalogue of tags managers offer at the counter, each name once (case ignored). */
export const TagCatalogueSchema = z
  .array(TagDefinitionSchema)
  .max(TAG_CATALOGUE_MAX)
  .check((ctx) => {
    const seen = new Set<string>();
    ctx.value.forEach((tag, i) => {
      const key = tagKey(tag.name);
      if (seen.has(key)) ctx.issues.push({ code: 'custom', message: 'DUPLICATE_TAG', input: tag.name, path: [i, 'name'] });
      seen.add(key);
    });
  });

/** The merchant's settings: one document per merchant whose id is the merchant id. */
export const SettingsSchema = z.strictObject({
  ...DocumentBaseShape,
  businessName: z.string().min(1).max(100),
  currency: z.string().regex(/^[A-Z]{3}$/),
  /** Shown unit of IRR amounts (ignored for other currencies). */
  currencyDisplay: CurrencyDisplaySchema,
  /** ISO 3166-1 alpha-2 region used to read national phone numbers. */
  defaultRegion: z.string().regex(/^[A-Z]{2}$/),
  locale: LocaleSchema,
  timeZone: z.string().min(1).max(64),
  stores: z.array(StoreSchema).max(500),
  program: ProgramSchema,
  segments: SegmentRulesSchema,
  /** Tags offered at the counter, with their colours. */
  tagCatalogue: TagCatalogueSchema,
  updatedBy: IdSchema,
  conflicts: z.array(RecordedConflictSchema).max(20),
});
/** The settings document. */
export type Settings = z.infer<typeof SettingsSchema>;

/** Settings fields the three-way merge treats one by one. */
export const SETTINGS_MERGE_FIELDS = [
  'businessName',
  'currency',
  'currencyDisplay',
  'defaultRegion',
  'locale',
  'timeZone',
  'stores',
  'program',
  'segments',
  'tagCatalogue',
  '_deleted',
] as const satisfies readonly (keyof Settings)[];

/** Program defaults: seed 000's tiers (0/500/1000/2500, ×1/1.25/1.5/2) and seed 001's earning rate. */
export const DEFAULT_PROGRAM: Program = {
  earnPoints: 1,
  earnPer: 1000,
  visitBonus: 0,
  tiers: [
    { tier: 'bronze', threshold: 0, multiplier: 1, perks: [] },
    { tier: 'silver', threshold: 500, multiplier: 1.25, perks: [] },
    { tier: 'gold', threshold: 1000, multiplier: 1.5, perks: [] },
    { tier: 'platinum', threshold: 2500, multiplier: 2, perks: [] },
  ],
  expiryDays: 365,
  offlineRedeemCap: 500,
  offlineMaxDataAgeHours: 72,
  cashierAdjustLimit: 100,
  managerAdjustLimit: 10_000,
  voidApprovalAgeDays: 30,
  birthdayRewardId: null,
};

/** What a shop shows by default: rial, as every shop did before the setting existed. */
export const DEFAULT_CURRENCY_DISPLAY: CurrencyDisplay = 'rial';

/**
 * The manager limit a programme written before the setting existed had: ten times the cashier's, at least
 * 10,000. Server migration 009 writes the same value into stored settings (RxDB compares a migrated
 * document with the server's, so both sides must agree exactly).
 */
export function legacyManagerAdjustLimit(cashierAdjustLimit: number): number {
  return Math.max(cashierAdjustLimit * 10, 10_000);
}

/** A programme as older versions stored it: without the fields later settings schema versions added. */
export type StoredProgram = Omit<Program, 'managerAdjustLimit' | 'voidApprovalAgeDays' | 'birthdayRewardId' | 'tiers'> &
  Partial<Pick<Program, 'managerAdjustLimit' | 'voidApprovalAgeDays' | 'birthdayRewardId'>> & { tiers: (Omit<TierRule, 'perks'> & Partial<Pick<TierRule, 'perks'>>)[] };

/**
 * A programme with the fields it gained in settings schema versions 1 (adjustment limit, void age) and 2 (tier
 * perks, birthday reward) filled in when it predates them. Server migrations 009 and 012 write the same values.
 */
export function upgradeProgram(program: StoredProgram): Program {
  return {
    ...program,
    tiers: program.tiers.map((rule) => ({ ...rule, perks: rule.perks ?? [] })),
    managerAdjustLimit: program.managerAdjustLimit ?? legacyManagerAdjustLimit(program.cashierAdjustLimit),
    voidApprovalAgeDays: program.voidApprovalAgeDays ?? DEFAULT_PROGRAM.voidApprovalAgeDays,
    birthdayRewardId: program.birthdayRewardId ?? null,
  };
}

/** The perks of a tier (none when the programme does not list it). */
export function perksFor(tier: TierRule['tier'], program: Pick<Program, 'tiers'>): readonly string[] {
  return program.tiers.find((rule) => rule.tier === tier)?.perks ?? [];
}

/** A settings document of an older RxDB schema version (or protocol) in the current shape: the defaults above. */
export function upgradeSettingsV0<T extends { program: StoredProgram; currencyDisplay?: CurrencyDisplay }>(doc: T): T & { program: Program; currencyDisplay: CurrencyDisplay } {
  return { ...doc, currencyDisplay: doc.currencyDisplay ?? DEFAULT_CURRENCY_DISPLAY, program: upgradeProgram(doc.program) };
}

/** A settings document of RxDB schema version 1 in the current shape: an empty tag catalogue (server migration 014 alike). */
export function upgradeSettingsV1<T extends object>(doc: T): T & { tagCatalogue: TagDefinition[] } {
  return { ...doc, tagCatalogue: [] };
}

/** Segment defaults: new within 30 days, regular at 3 visits / 90 days, at risk after 45 days away. */
export const DEFAULT_SEGMENT_RULES: SegmentRules = {
  newDays: 30,
  windowDays: 90,
  regularMinVisits: 3,
  vipMinVisits: 8,
  vipMinSpend: 5_000_000,
  atRiskDays: 45,
  churnedDays: 120,
};
