import { describe, expect, it } from 'vitest';
import { parseStampCardForm, stampCardToForm, type StampCardForm } from '../../../src/renderer/features/settings/stamp-validation.ts';
import type { MoneyUnit } from '../../../src/sync/model/money.ts';
import { DEFAULT_PROGRAM, ProgramSchema } from '../../../src/sync/model/settings.ts';
import { DEFAULT_STAMP_CARD } from '../../../src/sync/model/stamp-card.ts';

// The stamp card form: what a manager types → the programme's kinds and card, or field errors and nothing written.

const TOMAN: MoneyUnit = { currency: 'IRR', display: 'toman' };
const form = (patch: Partial<StampCardForm> = {}): StampCardForm => ({ ...stampCardToForm(DEFAULT_PROGRAM, TOMAN), mode: 'stamps', ...patch });

describe('stamp card form', () => {
  it('a programme without a card reads as points only; points only saves no card', () => {
    expect(stampCardToForm(DEFAULT_PROGRAM, TOMAN).mode).toBe('points');
    expect(parseStampCardForm({ ...form(), mode: 'points', cardSize: 'x' }, TOMAN)).toEqual({ ok: true, value: { earnsPoints: true, stampCard: null } });
  });

  it('reads Persian digits, amounts in toman and item names split by Persian commas; round-trips', () => {
    const parsed = parseStampCardForm(form({ mode: 'both', per: 'item', stamps: '۲', items: 'قهوه، Latte, ', minTotal: '۵۰٬۰۰۰', cardSize: '۸', reward: ' یک قهوه‌ی رایگان ' }), TOMAN);
    expect(parsed).toEqual({ ok: true, value: { earnsPoints: true, stampCard: { per: 'item', stamps: 2, items: ['قهوه', 'Latte'], minTotal: 500_000, cardSize: 8, reward: 'یک قهوه‌ی رایگان' } } });
    if (!parsed.ok) return;
    expect(ProgramSchema.safeParse({ ...DEFAULT_PROGRAM, ...parsed.value }).success).toBe(true);
    expect(stampCardToForm(parsed.value, TOMAN)).toMatchObject({ mode: 'both', items: 'قهوه, Latte', minTotal: '50000', cardSize: '8' });
  });

  it('field errors, and nothing saved: sizes, a missing reward, per item without items', () => {
    const parsed = parseStampCardForm(form({ per: 'item', items: ' , ', cardSize: '1', stamps: '', reward: '  ' }), TOMAN);
    expect(parsed).toEqual({ ok: false, errors: { stamps: { code: 'required' }, reward: { code: 'required' } } });
    expect(parseStampCardForm(form({ per: 'item', items: '', cardSize: '1' }), TOMAN)).toEqual({ ok: false, errors: { cardSize: { code: 'min', min: 2 }, items: { code: 'itemsRequired' } } });
    expect(parseStampCardForm(form({ cardSize: '500' }), TOMAN)).toEqual({ ok: false, errors: { cardSize: { code: 'max', max: 100 } } });
    expect(parseStampCardForm(form(), TOMAN)).toEqual({ ok: true, value: { earnsPoints: false, stampCard: DEFAULT_STAMP_CARD } });
  });
});
