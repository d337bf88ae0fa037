import type { z } from 'zod';
import { TIERS, type Tier } from '../../../sync/model/common.ts';
import { PatronError } from '../../../sync/model/errors.ts';
import { minorToShown, parseMoneyIn, type MoneyUnit } from '../../../sync/model/money.ts';
import { RewardInputSchema } from '../../../sync/client/commands/settings.ts';
import type { CapPeriod, Reward, RewardType } from '../../../sync/model/reward.ts';
import { ProgramSchema, SegmentRulesSchema, type Program, type SegmentRules } from '../../../sync/model/settings.ts';
import { toAsciiDigits } from '../../../sync/model/text.ts';

// The settings forms: text as typed (ASCII, Persian or Arabic-Indic digits, thousands separators) → the
// model's schemas (ProgramSchema, SegmentRulesSchema, RewardSchema) → either a valid value or field errors
// with codes the UI translates. Nothing is written unless the whole form is valid.

/** A field error: a code and the numbers its message needs. */
export interface FieldError {
  code:
    | 'required' | 'integer' | 'number' | 'min' | 'max' | 'money' | 'tomanFraction' | 'managerCoversCashier' | 'thresholdsIncrease' | 'firstTierZero'
    | 'atRiskBeforeChurned' | 'vipVisits' | 'dateRange' | 'invalid' | 'perksCount' | 'perkLength' | 'positive' | 'percentRange' | 'itemsRequired';
  min?: number;
  max?: number;
}
/** Errors by field path (`earnPer`, `tiers.2.threshold`, …). */
export type FieldErrors = Record<string, FieldError>;
/** A parsed form. */
export type Parsed<T> = { ok: true; value: T } | { ok: false; errors: FieldErrors };

const GROUPING = /[,\u066c\u060c\s]/g;

/** A whole number as typed; null for empty, NaN for anything else. */
function integer(text: string): number | null {
  const ascii = toAsciiDigits(text).replace(GROUPING, '');
  if (ascii === '') return null;
  return /^-?\d+$/.test(ascii) ? Number(ascii) : Number.NaN;
}

/** A decimal as typed (`1.25`, `۱٫۲۵`); null for empty, NaN for anything else. */
function decimal(text: string): number | null {
  const ascii = toAsciiDigits(text).replace(/\u066b/g, '.').replace(GROUPING, '');
  if (ascii === '') return null;
  return /^-?\d+(\.\d+)?$/.test(ascii) ? Number(ascii) : Number.NaN;
}

/** zod issues → field errors (the first per field). */
export function issuesToErrors(issues: readonly z.core.$ZodIssue[], errors: FieldErrors): FieldErrors {
  for (const issue of issues) {
    const path = issue.path.join('.');
    if (errors[path]) continue;
    if (issue.code === 'too_small') errors[path] = { code: 'min', min: Number(issue.minimum) };
    else if (issue.code === 'too_big') errors[path] = { code: 'max', max: Number(issue.maximum) };
    else if (issue.code === 'invalid_type') errors[path] = { code: 'integer' };
    else if (issue.message.includes('thresholds must increase')) errors[path] = { code: 'thresholdsIncrease' };
    else if (issue.message.includes('first tier starts at 0')) errors[path] = { code: 'firstTierZero' };
    else if (issue.message.includes('manager limit covers')) errors[path] = { code: 'managerCoversCashier' };
    else if (issue.message.includes('at-risk must come before churned')) errors[path] = { code: 'atRiskBeforeChurned' };
    else if (issue.message.includes('VIP needs')) errors[path] = { code: 'vipVisits' };
    else if (issue.message === 'DATE_ORDER') errors[path] = { code: 'dateRange' };
    else if (issue.message === 'ITEMS_REQUIRED') errors[path] = { code: 'itemsRequired' };
    else if (issue.message === 'PERCENT_RANGE') errors[path] = { code: 'percentRange' };
    else if (issue.message === 'REQUIRED') errors[path] = { code: path === 'value' ? 'positive' : 'required' };
    else errors[path] = { code: 'invalid' };
  }
  return errors;
}

/** Reads named whole-number fields; records `required` / `integer` errors. */
export function readIntegers<K extends string>(form: Record<K, string>, keys: readonly K[], errors: FieldErrors, optional: readonly K[] = []): Record<K, number | null> {
  const out = {} as Record<K, number | null>;
  for (const key of keys) {
    const value = integer(form[key]);
    if (value === null && !optional.includes(key)) errors[key] = { code: 'required' };
    else if (Number.isNaN(value)) errors[key] = { code: 'integer' };
    out[key] = value;
  }
  return out;
}

/**
 * An amount field typed in the shown unit (toman or rial for IRR), into minor units; an error when it is empty
 * or cannot be read — a fraction of a toman gets its own message, since rial cannot hold it.
 */
export function readAmount(text: string, unit: MoneyUnit, field: string, errors: FieldErrors, required = true): number | null {
  if (text.trim() === '') {
    if (required) errors[field] = { code: 'required' };
    return null;
  }
  try {
    return parseMoneyIn(text, unit);
  } catch (error) {
    errors[field] = { code: error instanceof PatronError && error.details?.reason === 'TOMAN_FRACTION' ? 'tomanFraction' : 'money' };
    return null;
  }
}

/** The program form: every number as text; tiers in TIERS order; an empty expiry means "never". */
export interface ProgramForm {
  earnPoints: string;
  earnPer: string;
  visitBonus: string;
  expiryDays: string;
  offlineRedeemCap: string;
  offlineMaxDataAgeHours: string;
  cashierAdjustLimit: string;
  managerAdjustLimit: string;
  voidApprovalAgeDays: string;
  /** Each tier's perks as typed: one per line. */
  tiers: { threshold: string; multiplier: string; perks: string }[];
  /** The birthday reward's id, or '' for none. */
  birthdayRewardId: string;
}

const PROGRAM_INTS = [
  'earnPoints', 'earnPer', 'visitBonus', 'expiryDays', 'offlineRedeemCap', 'offlineMaxDataAgeHours', 'cashierAdjustLimit', 'managerAdjustLimit', 'voidApprovalAgeDays',
] as const;

/** The form of a program (for editing). `earnPer` is stored in minor units, shown as an amount in the shown unit. */
export function programToForm(program: Program, unit: MoneyUnit): ProgramForm {
  return {
    earnPoints: String(program.earnPoints),
    earnPer: minorToShown(program.earnPer, unit),
    visitBonus: String(program.visitBonus),
    expiryDays: program.expiryDays === null ? '' : String(program.expiryDays),
    offlineRedeemCap: String(program.offlineRedeemCap),
    offlineMaxDataAgeHours: String(program.offlineMaxDataAgeHours),
    cashierAdjustLimit: String(program.cashierAdjustLimit),
    managerAdjustLimit: String(program.managerAdjustLimit),
    voidApprovalAgeDays: String(program.voidApprovalAgeDays),
    tiers: TIERS.map((tier) => {
      const rule = program.tiers.find((r) => r.tier === tier);
      return { threshold: String(rule?.threshold ?? 0), multiplier: String(rule?.multiplier ?? 1), perks: (rule?.perks ?? []).join('\n') };
    }),
    birthdayRewardId: program.birthdayRewardId ?? '',
  };
}

/** Most perks a tier lists, and the longest perk (the schema's bounds). */
const MAX_PERKS = 10;
const MAX_PERK_LENGTH = 80;

/** A tier's perks as typed: one per line, blank lines dropped; an error when too many or one too long. */
function readPerks(text: string, field: string, errors: FieldErrors): string[] {
  const perks = text.split('\n').map((line) => line.trim()).filter((line) => line !== '');
  if (perks.length > MAX_PERKS) errors[field] = { code: 'perksCount', max: MAX_PERKS };
  else if (perks.some((perk) => perk.length > MAX_PERK_LENGTH)) errors[field] = { code: 'perkLength', max: MAX_PERK_LENGTH };
  return perks;
}

/** Validates the program form with ProgramSchema. */
export function parseProgramForm(form: ProgramForm, unit: MoneyUnit): Parsed<Program> {
  const errors: FieldErrors = {};
  const ints = readIntegers(form, PROGRAM_INTS.filter((k) => k !== 'earnPer'), errors, ['expiryDays']);
  const earnPer = readAmount(form.earnPer, unit, 'earnPer', errors);
  const tiers = TIERS.map((tier, i) => {
    const row = form.tiers[i] ?? { threshold: '', multiplier: '', perks: '' };
    const threshold = integer(row.threshold);
    const multiplier = decimal(row.multiplier);
    if (threshold === null) errors[`tiers.${i}.threshold`] = { code: 'required' };
    else if (Number.isNaN(threshold)) errors[`tiers.${i}.threshold`] = { code: 'integer' };
    if (multiplier === null) errors[`tiers.${i}.multiplier`] = { code: 'required' };
    else if (Number.isNaN(multiplier)) errors[`tiers.${i}.multiplier`] = { code: 'number' };
    const perks = readPerks(row.perks, `tiers.${i}.perks`, errors);
    return { tier, threshold: threshold ?? 0, multiplier: multiplier ?? 1, perks };
  });
  if (Object.keys(errors).length > 0) return { ok: false, errors };
  const result = ProgramSchema.safeParse({ ...ints, earnPer, tiers, birthdayRewardId: form.birthdayRewardId || null });
  return result.success ? { ok: true, value: result.data } : { ok: false, errors: issuesToErrors(result.error.issues, errors) };
}

/** The segment rules form (VIP spend as an amount of the currency). */
export type SegmentsForm = Record<keyof SegmentRules, string>;

const SEGMENT_INTS = ['newDays', 'windowDays', 'regularMinVisits', 'vipMinVisits', 'atRiskDays', 'churnedDays'] as const;

/** The form of segment rules. */
export function segmentsToForm(rules: SegmentRules, unit: MoneyUnit): SegmentsForm {
  return { ...(Object.fromEntries(SEGMENT_INTS.map((k) => [k, String(rules[k])])) as Record<(typeof SEGMENT_INTS)[number], string>), vipMinSpend: minorToShown(rules.vipMinSpend, unit) };
}

/** Validates segment rules with SegmentRulesSchema. */
export function parseSegmentsForm(form: SegmentsForm, unit: MoneyUnit): Parsed<SegmentRules> {
  const errors: FieldErrors = {};
  const ints = readIntegers(form, SEGMENT_INTS, errors);
  const vipMinSpend = readAmount(form.vipMinSpend, unit, 'vipMinSpend', errors);
  if (Object.keys(errors).length > 0) return { ok: false, errors };
  const result = SegmentRulesSchema.safeParse({ ...ints, vipMinSpend });
  return result.success ? { ok: true, value: result.data } : { ok: false, errors: issuesToErrors(result.error.issues, errors) };
}

/** The reward form. Empty stock = unlimited, empty dates = no limit, empty tier = everyone, empty cap = none. */
export interface RewardForm {
  name: string;
  description: string;
  type: RewardType;
  pointsCost: string;
  value: string;
  itemName: string;
  percent: string;
  stock: string;
  minTier: '' | Tier;
  validFrom: string;
  validUntil: string;
  capCount: string;
  capPeriod: CapPeriod;
  active: boolean;
}

/** An empty reward form. */
export const EMPTY_REWARD_FORM: RewardForm = {
  name: '', description: '', type: 'freeItem', pointsCost: '', value: '0', itemName: '', percent: '', stock: '', minTier: '', validFrom: '', validUntil: '', capCount: '', capPeriod: 'week', active: true,
};

/** The form of a reward. */
export function rewardToForm(reward: Reward, unit: MoneyUnit): RewardForm {
  return {
    name: reward.name,
    description: reward.description,
    type: reward.type,
    pointsCost: String(reward.pointsCost),
    value: minorToShown(reward.value, unit),
    itemName: reward.itemName,
    percent: reward.type === 'percentOff' ? String(reward.percent) : '',
    stock: reward.stock === null ? '' : String(reward.stock),
    minTier: reward.minTier ?? '',
    validFrom: reward.validFrom ?? '',
    validUntil: reward.validUntil ?? '',
    capCount: reward.cap === null ? '' : String(reward.cap.count),
    capPeriod: reward.cap?.period ?? 'week',
    active: reward.active,
  };
}

/** The reward command's input (src/sync/client/commands/settings.ts). */
export type RewardInput = z.output<typeof RewardInputSchema>;

/**
 * Validates a reward form into the saveReward command's input, with that command's own schema: a new reward,
 * or the one with `id` edited.
 */
export function parseRewardForm(form: RewardForm, unit: MoneyUnit, id?: string): Parsed<RewardInput> {
  const errors: FieldErrors = {};
  const ints = readIntegers(form as unknown as Record<'pointsCost' | 'stock' | 'capCount', string>, ['pointsCost', 'stock', 'capCount'], errors, ['stock', 'capCount']);
  const value = readAmount(form.value, unit, 'value', errors, false) ?? 0;
  const percent = form.type === 'percentOff' ? integer(form.percent) : 0;
  if (percent === null || Number.isNaN(percent)) errors.percent = { code: 'percentRange' };
  if (form.name.trim() === '') errors.name = { code: 'required' };
  const validFrom = form.validFrom.trim() || null;
  const validUntil = form.validUntil.trim() || null;
  if (validFrom && validUntil && validUntil < validFrom) errors.validUntil = { code: 'dateRange' };
  if (Object.keys(errors).length > 0) return { ok: false, errors };
  const result = RewardInputSchema.safeParse({
    ...(id ? { id } : {}),
    name: form.name,
    description: form.description,
    type: form.type,
    pointsCost: ints.pointsCost,
    value,
    itemName: form.type === 'freeItem' ? form.itemName : '',
    percent,
    stock: ints.stock,
    minTier: form.minTier === '' ? null : form.minTier,
    validFrom,
    validUntil,
    cap: ints.capCount === null ? null : { count: ints.capCount, period: form.capPeriod },
    active: form.active,
  });
  if (result.success) return { ok: true, value: result.data };
  // The cap's count is typed in one field.
  const fieldErrors = issuesToErrors(result.error.issues, errors);
  if (fieldErrors['cap.count']) fieldErrors.capCount = fieldErrors['cap.count'];
  if (fieldErrors.percent && fieldErrors.percent.code !== 'percentRange') fieldErrors.percent = { code: 'percentRange' };
  return { ok: false, errors: fieldErrors };
}
