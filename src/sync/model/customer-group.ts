import { z } from 'zod';
import { DocumentBaseShape, IdSchema } from './common.ts';
import { CustomerFilterSchema } from './customer-filter.ts';

/**
 * A saved group of customers: a named filter (customer-filter.ts), replicated to every terminal of the
 * merchant. Managers write groups and cashiers read them; the server checks both (sync/rules.ts). Members are
 * never stored: a group is evaluated where it is used, over the statistics of that moment.
 */
export const CustomerGroupSchema = z.strictObject({
  ...DocumentBaseShape,
  name: z.string().trim().min(1).max(60),
  filter: CustomerFilterSchema,
  updatedBy: IdSchema,
});
/** A saved customer group. */
export type CustomerGroup = z.infer<typeof CustomerGroupSchema>;
