import type { VisitReceipt } from '../../../main/ipc/contract.ts';
import type { Settings, Locale } from '../../../sync/model/settings.ts';
import type { Visit } from '../../../sync/model/visit.ts';

/** The receipt of a recorded visit, in the UI language, dated in the merchant's time zone. */
export function buildReceipt(input: {
  visit: Visit;
  settings: Pick<Settings, 'businessName' | 'stores' | 'timeZone'>;
  customer: { name: string; phone: string } | null;
  staffName: string;
  locale: Locale;
  pointsRedeemed?: number;
  /** Balance after the visit, or null when it cannot be known (offline with unsynced entries elsewhere). */
  pointsBalance: number | null;
}): VisitReceipt {
  const { visit, settings } = input;
  const store = settings.stores.find((s) => s.id === visit.storeId);
  return {
    locale: input.locale,
    businessName: settings.businessName,
    storeName: store?.name ?? '',
    storeAddress: store?.address ?? '',
    visitId: visit.id,
    occurredAt: visit.occurredAt,
    timeZone: settings.timeZone,
    customerName: input.customer?.name ?? null,
    customerPhone: input.customer?.phone ?? null,
    staffName: input.staffName,
    items: visit.items.map((item) => ({ name: item.name, quantity: item.quantity, unitPrice: item.unitPrice })),
    subtotal: visit.subtotal,
    discount: visit.discount,
    total: visit.total,
    currency: visit.currency,
    paymentMethod: visit.paymentMethod,
    pointsEarned: Math.max(0, visit.pointsEarned),
    pointsRedeemed: input.pointsRedeemed ?? 0,
    pointsBalance: input.pointsBalance,
  };
}
