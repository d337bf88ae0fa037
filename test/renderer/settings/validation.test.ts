import { describe, expect, it } from 'vitest';
import {
  EMPTY_REWARD_FORM, parseProgramForm, parseRewardForm, parseSegmentsForm, programToForm, rewardToForm, segmentsToForm, type ProgramForm,
} from '../../../src/renderer/features/settings/validation.ts';
import { newId } from '../../../src/sync/model/ids.ts';
import type { MoneyUnit } from '../../../src/sync/model/money.ts';
import { RewardSchema } from '../../../src/sync/model/reward.ts';
import { DEFAULT_PROGRAM, DEFAULT_SEGMENT_RULES, SettingsSchema, type Settings } from '../../../src/sync/model/settings.ts';
import type { Staff } from '../../../src/sync/model/staff.ts';
import { checkWrite } from '../../../src/sync/server/sync/rules.ts';

// The settings forms: what a manager types → the model's schemas, or field errors and nothing written.

const IRR: MoneyUnit = { currency: 'IRR', display: 'rial' };
const TOMAN: MoneyUnit = { currency: 'IRR', display: 'toman' };
const USD: MoneyUnit = { currency: 'USD', display: 'rial' };

const form = (patch: Partial<ProgramForm> = {}): ProgramForm => ({ ...programToForm(DEFAULT_PROGRAM, IRR), ...patch });
const errorsOf = <T>(parsed: { ok: true; value: T } | { ok: false; errors: Record<string, unknown> }) => (parsed.ok ? {} : parsed.errors);

describe('program form', () => {
  it('round-trips the program, reading Persian digits, separators and decimal commas', () => {
    expect(parseProgramForm(form(), IRR)).toEqual({ ok: true, value: DEFAULT_PROGRAM });
    const persian = parseProgramForm(
      form({ earnPoints: '۲', earnPer: '۱٬۰۰۰', visitBonus: '۵', expiryDays: '', tiers: [{ threshold: '0', multiplier: '1', perks: '' }, { threshold: '۵۰۰', multiplier: '۱٫۵', perks: '' }, { threshold: '1,000', multiplier: '2', perks: '' }, { threshold: '2500', multiplier: '3', perks: '' }] }),
      IRR,
    );
    expect(persian.ok && persian.value).toMatchObject({ earnPoints: 2, earnPer: 1000, visitBonus: 5, expiryDays: null, tiers: [{ multiplier: 1 }, { threshold: 500, multiplier: 1.5 }, { threshold: 1000 }, { multiplier: 3 }] });
  });

  it('reports each bad field with a code the UI translates', () => {
    expect(errorsOf(parseProgramForm(form({ earnPoints: '', cashierAdjustLimit: 'ten', earnPer: '12.5' }), IRR))).toEqual({
      earnPoints: { code: 'required' },
      cashierAdjustLimit: { code: 'integer' },
      earnPer: { code: 'money' }, // IRR has no minor unit
    });
    const tiers = form().tiers.map((row, i) => (i === 2 ? { ...row, threshold: '400' } : row));
    expect(errorsOf(parseProgramForm(form({ tiers }), IRR))).toEqual({ 'tiers.2.threshold': { code: 'thresholdsIncrease' } });
    const first = form().tiers.map((row, i) => (i === 0 ? { ...row, threshold: '10' } : row));
    expect(errorsOf(parseProgramForm(form({ tiers: first }), IRR))).toEqual({ 'tiers.0.threshold': { code: 'firstTierZero' } });
    const big = form().tiers.map((row, i) => (i === 3 ? { ...row, multiplier: '11' } : row));
    expect(errorsOf(parseProgramForm(form({ tiers: big }), IRR))).toEqual({ 'tiers.3.multiplier': { code: 'max', max: 10 } });
    expect(errorsOf(parseProgramForm(form({ earnPer: '0', expiryDays: '4000' }), IRR))).toEqual({ earnPer: { code: 'min', min: 1 }, expiryDays: { code: 'max', max: 3650 } });
    expect(errorsOf(parseProgramForm(form({ visitBonus: '-3' }), IRR))).toEqual({ visitBonus: { code: 'min', min: 0 } });
  });

  it('the adjustment limits and the void approval age are settings, checked', () => {
    const parsed = parseProgramForm(form({ managerAdjustLimit: '۲۵٬۰۰۰', voidApprovalAgeDays: '7' }), IRR);
    expect(parsed.ok && parsed.value).toMatchObject({ managerAdjustLimit: 25_000, voidApprovalAgeDays: 7 });
    expect(errorsOf(parseProgramForm(form({ managerAdjustLimit: '50' }), IRR))).toEqual({ managerAdjustLimit: { code: 'managerCoversCashier' } });
    expect(errorsOf(parseProgramForm(form({ managerAdjustLimit: '' }), IRR))).toEqual({ managerAdjustLimit: { code: 'required' } });
    expect(errorsOf(parseProgramForm(form({ voidApprovalAgeDays: '0' }), IRR))).toEqual({ voidApprovalAgeDays: { code: 'min', min: 1 } });
  });

  it('in toman: amounts are shown and typed in toman, stored in rial; a fraction of a toman is refused', () => {
    expect(programToForm(DEFAULT_PROGRAM, TOMAN).earnPer).toBe('100');
    const parsed = parseProgramForm(form({ earnPer: '۲۵٬۰۰۰' }), TOMAN);
    expect(parsed.ok && parsed.value.earnPer).toBe(250_000);
    expect(errorsOf(parseProgramForm(form({ earnPer: '2.5' }), TOMAN))).toEqual({ earnPer: { code: 'tomanFraction' } });
    expect(segmentsToForm(DEFAULT_SEGMENT_RULES, TOMAN).vipMinSpend).toBe('500000');
    const reward = parseRewardForm({ ...EMPTY_REWARD_FORM, itemName: 'Cake', name: 'Cake', pointsCost: '100', value: '15,000' }, TOMAN);
    expect(reward.ok && reward.value.value).toBe(150_000);
  });

  it('reads money in the currency’s minor units', () => {
    const usd = parseProgramForm({ ...programToForm({ ...DEFAULT_PROGRAM, earnPer: 100 }, USD) }, USD);
    expect(usd.ok && usd.value.earnPer).toBe(100);
    expect(programToForm({ ...DEFAULT_PROGRAM, earnPer: 250 }, USD).earnPer).toBe('2.50');
  });
});

describe('segment rules form', () => {
  it('round-trips and checks the cross-field rules', () => {
    expect(parseSegmentsForm(segmentsToForm(DEFAULT_SEGMENT_RULES, IRR), IRR)).toEqual({ ok: true, value: DEFAULT_SEGMENT_RULES });
    const base = segmentsToForm(DEFAULT_SEGMENT_RULES, IRR);
    expect(errorsOf(parseSegmentsForm({ ...base, atRiskDays: '200' }, IRR))).toEqual({ atRiskDays: { code: 'atRiskBeforeChurned' } });
    expect(errorsOf(parseSegmentsForm({ ...base, vipMinVisits: '2' }, IRR))).toEqual({ vipMinVisits: { code: 'vipVisits' } });
    expect(errorsOf(parseSegmentsForm({ ...base, windowDays: '3', vipMinSpend: 'lots' }, IRR))).toEqual({ vipMinSpend: { code: 'money' } });
    expect(errorsOf(parseSegmentsForm({ ...base, windowDays: '3' }, IRR))).toEqual({ windowDays: { code: 'min', min: 7 } });
  });
});

describe('reward form', () => {
  it('builds the saveReward command input, new or edited', () => {
    const parsed = parseRewardForm({ ...EMPTY_REWARD_FORM, itemName: 'Cake', name: ' Free latte ', pointsCost: '۲۰۰', value: '۱۵۰٬۰۰۰', stock: '', minTier: 'silver', validFrom: '2025-06-01', validUntil: '2025-12-31' }, IRR);
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    expect(parsed.value).toEqual({ name: 'Free latte', description: '', type: 'freeItem', itemName: 'Cake', percent: 0, cap: null, pointsCost: 200, value: 150_000, stock: null, minTier: 'silver', validFrom: '2025-06-01', validUntil: '2025-12-31', active: true });
    const stored = RewardSchema.parse({ ...parsed.value, id: newId(), merchantId: newId(), updatedAt: '2025-06-01T10:00:00.000Z', updatedBy: newId(), _deleted: false });
    const edited = parseRewardForm({ ...rewardToForm(stored, IRR), stock: '5', active: false }, IRR, stored.id);
    expect(edited.ok && edited.value).toMatchObject({ id: stored.id, stock: 5, active: false, pointsCost: 200 });
  });

  it('checks what each reward type needs, and the per-customer cap', () => {
    const base = { ...EMPTY_REWARD_FORM, name: 'x', pointsCost: '100' };
    expect(errorsOf(parseRewardForm({ ...base, type: 'freeItem', itemName: '  ' }, IRR))).toEqual({ itemName: { code: 'required' } });
    expect(errorsOf(parseRewardForm({ ...base, type: 'percentOff', percent: '' }, IRR))).toEqual({ percent: { code: 'percentRange' } });
    expect(errorsOf(parseRewardForm({ ...base, type: 'percentOff', percent: '۱۲۰' }, IRR))).toEqual({ percent: { code: 'percentRange' } });
    expect(errorsOf(parseRewardForm({ ...base, type: 'amountOff', value: '0' }, IRR))).toEqual({ value: { code: 'positive' } });
    expect(errorsOf(parseRewardForm({ ...base, type: 'pointsToMoney', value: '' }, IRR))).toEqual({ value: { code: 'positive' } });
    expect(errorsOf(parseRewardForm({ ...base, type: 'freeItem', itemName: 'Cake', capCount: '0' }, IRR))).toMatchObject({ capCount: { code: 'min', min: 1 } });
    const capped = parseRewardForm({ ...base, type: 'percentOff', percent: '۱۰', capCount: '1', capPeriod: 'month' }, IRR);
    expect(capped.ok && capped.value).toMatchObject({ type: 'percentOff', percent: 10, cap: { count: 1, period: 'month' } });
  });

  it('refuses bad input with field errors', () => {
    expect(errorsOf(parseRewardForm({ ...EMPTY_REWARD_FORM, itemName: 'Cake', name: '', pointsCost: '0' }, IRR))).toEqual({ name: { code: 'required' } });
    expect(errorsOf(parseRewardForm({ ...EMPTY_REWARD_FORM, itemName: 'Cake', name: 'x', pointsCost: '0' }, IRR))).toEqual({ pointsCost: { code: 'min', min: 1 } });
    expect(errorsOf(parseRewardForm({ ...EMPTY_REWARD_FORM, itemName: 'Cake', name: 'x', pointsCost: '', validFrom: '2025-06-02', validUntil: '2025-06-01' }, IRR))).toEqual({ pointsCost: { code: 'required' }, validUntil: { code: 'dateRange' } });
    expect(errorsOf(parseRewardForm({ ...EMPTY_REWARD_FORM, itemName: 'Cake', name: 'x', pointsCost: '10', stock: '-1' }, IRR))).toEqual({ stock: { code: 'min', min: 0 } });
  });
});

describe('settings writes and the server rules', () => {
  it('a manager’s program change is a settings write the server accepts; a cashier’s is refused', () => {
    const merchantId = newId();
    const staff = (role: Staff['role']): Staff => ({ id: newId(), merchantId, updatedAt: '2025-01-01T00:00:00.000Z', _deleted: false, name: 'S', role, pinHash: '$argon2id$x', active: true, storeIds: [], updatedBy: null, publicKey: null, sealedKey: null });
    const current: Settings = {
      id: merchantId, merchantId, updatedAt: '2025-01-01T00:00:00.000Z', _deleted: false, businessName: 'Café', currency: 'IRR', currencyDisplay: 'rial', defaultRegion: 'IR', locale: 'fa',
      timeZone: 'Asia/Tehran', stores: [], program: DEFAULT_PROGRAM, segments: DEFAULT_SEGMENT_RULES, tagCatalogue: [], updatedBy: merchantId, conflicts: [],
    };
    const parsed = parseProgramForm(form({ visitBonus: '10' }), IRR);
    if (!parsed.ok) throw new Error('form');
    const manager = staff('manager');
    const next = { ...current, program: parsed.value, updatedAt: '2025-06-01T10:00:00.000Z', updatedBy: manager.id };
    expect(SettingsSchema.safeParse(next).success).toBe(true);
    const check = (who: Staff) => checkWrite({ collection: 'settings', merchantId, terminalId: merchantId, storeId: merchantId, doc: { ...next, updatedBy: who.id }, master: current, staff: who, program: DEFAULT_PROGRAM });
    expect(check(manager)).toBeNull();
    expect(check(staff('cashier'))).toMatchObject({ code: 'FORBIDDEN' });
  });
});
