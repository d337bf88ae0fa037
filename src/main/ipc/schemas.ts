import { z } from 'zod';
import { IntSchema, IsoDateTimeSchema, NonNegativeIntSchema } from '../../sync/model/common.ts';
import { PaymentMethodSchema, VisitItemSchema } from '../../sync/model/visit.ts';
import { DeviceCredentialSchema } from '../services/keychain.ts';
import { PrintSettingsSchema } from '../services/settings.ts';
import { checkSyncServerUrl } from '../policy/sync-url.ts';
import type { IpcContract, IpcName } from './contract.ts';

// The zod schema of every channel's argument list, checked before a handler does anything. Tuples refuse
// extra arguments; strict objects refuse unknown keys (and so `__proto__`). A compile-time check below makes
// each schema's output type equal to the contract's argument type, so the two cannot drift.

function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

// Intl formats any well-formed code (`ZZZ`), so check against the currencies it actually knows.
const CURRENCIES = new Set(Intl.supportedValuesOf('currency'));

function isCurrency(code: string): boolean {
  return CURRENCIES.has(code);
}

/** A visit receipt to print. */
export const VisitReceiptSchema = z.strictObject({
  locale: z.enum(['en', 'fa']),
  businessName: z.string().min(1).max(100),
  storeName: z.string().min(1).max(100),
  storeAddress: z.string().max(300),
  visitId: z.string().regex(/^[0-9a-f-]{36}$/),
  occurredAt: IsoDateTimeSchema,
  timeZone: z.string().min(1).max(64).refine(isTimeZone, 'unknown time zone'),
  customerName: z.string().min(1).max(100).nullable(),
  customerPhone: z.string().min(1).max(32).nullable(),
  staffName: z.string().min(1).max(100),
  items: z.array(VisitItemSchema).max(200),
  subtotal: NonNegativeIntSchema,
  discount: NonNegativeIntSchema,
  total: NonNegativeIntSchema,
  currency: z
    .string()
    .regex(/^[A-Z]{3}$/)
    .refine(isCurrency, 'unknown currency'),
  paymentMethod: PaymentMethodSchema,
  pointsEarned: NonNegativeIntSchema,
  pointsRedeemed: NonNegativeIntSchema,
  pointsBalance: IntSchema.nullable(),
});

/** A sync server URL (or null to forget it), under the rules of policy/sync-url.ts. */
export const SyncServerUrlSchema = z
  .string()
  .max(2048)
  .refine((url) => checkSyncServerUrl(url).ok, 'sync server URL must be https (http only for localhost)')
  .nullable();

/** Argument schemas, one per capability. */
export const IPC_ARGS = {
  storeDeviceCredential: z.tuple([DeviceCredentialSchema]),
  readDeviceCredential: z.tuple([]),
  clearDeviceCredential: z.tuple([]),
  getSettings: z.tuple([]),
  setSyncServerUrl: z.tuple([SyncServerUrlSchema]),
  setPrintSettings: z.tuple([PrintSettingsSchema]),
  listPrinters: z.tuple([]),
  printReceipt: z.tuple([VisitReceiptSchema]),
  getAppVersion: z.tuple([]),
} satisfies { [N in IpcName]: z.ZodType<IpcContract[N]['args']> };

/** Every capability, in the contract's order. */
export const IPC_NAMES = Object.keys(IPC_ARGS) as IpcName[];

type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
type Drifted = {
  [N in IpcName]: Same<z.output<(typeof IPC_ARGS)[N]>, IpcContract[N]['args']> extends true ? never : N;
}[IpcName];
// Fails to compile, naming the channel, when a schema and the contract disagree.
const _schemasMatchContract: [Drifted] extends [never] ? true : Drifted = true;
void _schemasMatchContract;
