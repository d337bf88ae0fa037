import { ACTOR, parse, checkedPin, pinFromEnv, type CliContext, type DataOptions } from './context.ts';
import type { Command } from 'commander';
import { Option } from 'commander';
import { ROLES, type Role } from '../../model/common.ts';
import { type Locale } from '../../model/settings.ts';
import { textTable } from '../demo/summary.ts';
import { AdminError, addStaff, setStaffPin, createEnrolmentCode, createMerchant, createStore, listTerminals, revokeTerminal } from '../repositories/admin.ts';

/** `merchant`, `store`, `staff`, `enrol-code` and `terminal`: setting a shop up. */
export function registerAdminCommands(program: Command, cli: CliContext): void {
  registerShop(program, cli);
  registerStaff(program, cli);
  registerTerminals(program, cli);
}

function registerShop(program: Command, cli: CliContext): void {
  const { out, json, withDatabase, dataOption, jsonOption } = cli;
  const merchant = program.command('merchant').description('manage merchants');
  merchant
    .command('create')
    .description('create a merchant with its settings and the default loyalty program')
    .requiredOption('--name <name>', 'business name', parse.name)
    .requiredOption('--currency <code>', 'ISO 4217 currency, e.g. IRR', parse.currency)
    .requiredOption('--region <code>', 'country for reading national phone numbers, e.g. IR', parse.region)
    .requiredOption('--locale <locale>', 'UI language: en or fa', parse.locale)
    .requiredOption('--time-zone <zone>', 'IANA time zone, e.g. Asia/Tehran', parse.timeZone)
    .addOption(dataOption())
    .addOption(jsonOption())
    .action(async (options: DataOptions & { name: string; currency: string; region: string; locale: Locale; timeZone: string; json?: boolean }) => {
      const input = { name: options.name, currency: options.currency, defaultRegion: options.region, locale: options.locale, timeZone: options.timeZone };
      const merchantId = await withDatabase(options, (db) => createMerchant(db, input, ACTOR));
      if (options.json) json({ merchantId, ...input });
      else out(`Created merchant ${merchantId} "${input.name}" (${input.currency}, ${input.defaultRegion}, ${input.locale}, ${input.timeZone}).\nNext: patron-sync store create --merchant ${merchantId} --name <name>`);
    });

  const store = program.command('store').description('manage stores');
  store
    .command('create')
    .description("create a store and list it in the merchant's settings")
    .requiredOption('--merchant <id>', 'merchant id', parse.uuid)
    .requiredOption('--name <name>', 'store name', parse.name)
    .option('--address <text>', 'street address', parse.address)
    .addOption(dataOption())
    .addOption(jsonOption())
    .action(async (options: DataOptions & { merchant: string; name: string; address?: string; json?: boolean }) => {
      const input = { name: options.name, address: options.address ?? '' };
      const storeId = await withDatabase(options, (db) => createStore(db, options.merchant, input, ACTOR));
      if (options.json) json({ storeId, merchantId: options.merchant, ...input });
      else out(`Created store ${storeId} "${input.name}".\nNext: patron-sync enrol-code --merchant ${options.merchant} --store ${storeId}`);
    });
}

function registerStaff(program: Command, cli: CliContext): void {
  const { io, out, json, withDatabase, dataOption, jsonOption } = cli;
  const staff = program.command('staff').description('manage staff');
  staff
    .command('add')
    .description('add a staff member; terminals check the PIN offline against its argon2id hash')
    .requiredOption('--merchant <id>', 'merchant id', parse.uuid)
    .requiredOption('--name <name>', 'name shown at sign-in', parse.name)
    .addOption(new Option('--role <role>', 'what the member may do').choices(ROLES).makeOptionMandatory())
    .option('--pin <digits>', '4–8 digit PIN (better: PATRON_STAFF_PIN, which stays out of the shell history)')
    .option('--store <id>', 'a store the member may sign in at (repeatable; default: every store)', (value: string, previous: string[] = []) => [...previous, parse.uuid(value)])
    .addOption(dataOption())
    .addOption(jsonOption())
    .action(async (options: DataOptions & { merchant: string; name: string; role: Role; pin?: string; store?: string[]; json?: boolean }) => {
      const pin = options.pin === undefined ? pinFromEnv(io.env) : checkedPin(options.pin);
      const storeIds = options.store ?? [];
      const member = await withDatabase(options, async (db) => {
        for (const storeId of storeIds) {
          const { rows } = await db.query(`SELECT 1 FROM stores WHERE merchant_id = $1 AND store_id = $2`, [options.merchant, storeId]);
          if (rows.length === 0) throw new AdminError(`store ${storeId} does not belong to merchant ${options.merchant}`);
        }
        return addStaff(db, options.merchant, { name: options.name, role: options.role, pin, storeIds }, ACTOR);
      });
      const view = { staffId: member.id, merchantId: member.merchantId, name: member.name, role: member.role, storeIds: member.storeIds };
      if (options.json) json(view);
      else out(`Added ${member.role} ${member.id} "${member.name}"${storeIds.length > 0 ? ` at ${storeIds.length} store(s)` : ' at every store'}. Terminals receive the member on their next sync.`);
    });
  staff
    .command('pin')
    .description("set a member's PIN: a new hash and a new signing key (managers and owners: at least 6 digits)")
    .requiredOption('--merchant <id>', 'merchant id', parse.uuid)
    .requiredOption('--staff <id>', 'staff member id', parse.uuid)
    .option('--pin <digits>', 'the new PIN (better: PATRON_STAFF_PIN, which stays out of the shell history)')
    .addOption(dataOption())
    .addOption(jsonOption())
    .action(async (options: DataOptions & { merchant: string; staff: string; pin?: string; json?: boolean }) => {
      const pin = options.pin === undefined ? pinFromEnv(io.env) : checkedPin(options.pin);
      const member = await withDatabase(options, (db) => setStaffPin(db, options.merchant, options.staff, pin, ACTOR));
      if (options.json) json({ staffId: member.id, merchantId: member.merchantId });
      else out(`New PIN set for ${member.role} ${member.id} "${member.name}". Terminals receive it on their next sync.`);
    });
}

function registerTerminals(program: Command, cli: CliContext): void {
  const { out, json, withDatabase, dataOption, jsonOption } = cli;
  program
    .command('enrol-code')
    .description('create a one-time code that enrols one terminal for one store')
    .requiredOption('--merchant <id>', 'merchant id', parse.uuid)
    .requiredOption('--store <id>', 'store the terminal will belong to', parse.uuid)
    .option('--ttl-minutes <minutes>', 'minutes until the code expires', parse.positive(7 * 24 * 60), 60)
    .addOption(dataOption())
    .addOption(jsonOption())
    .action(async (options: DataOptions & { merchant: string; store: string; ttlMinutes: number; json?: boolean }) => {
      const { code, expiresAt } = await withDatabase(options, (db) => createEnrolmentCode(db, options.merchant, options.store, options.ttlMinutes, ACTOR));
      if (options.json) json({ code, merchantId: options.merchant, storeId: options.store, expiresAt: expiresAt.toISOString() });
      else out(`Enrolment code: ${code}\nSingle use, for store ${options.store}, valid until ${expiresAt.toISOString()}.`);
    });

  const terminal = program.command('terminal').description('manage enrolled terminals');
  terminal
    .command('list')
    .description("list a merchant's terminals")
    .requiredOption('--merchant <id>', 'merchant id', parse.uuid)
    .addOption(dataOption())
    .addOption(jsonOption())
    .action(async (options: DataOptions & { merchant: string; json?: boolean }) => {
      const terminals = await withDatabase(options, async (db) => {
        const { rows } = await db.query(`SELECT 1 FROM merchants WHERE merchant_id = $1`, [options.merchant]);
        if (rows.length === 0) throw new AdminError(`no merchant ${options.merchant}`);
        return listTerminals(db, options.merchant);
      });
      if (options.json) return json(terminals);
      if (terminals.length === 0) return out('No terminals enrolled yet. Create a code with: patron-sync enrol-code');
      out(textTable(
        ['TERMINAL', 'STORE', 'NAME', 'ENROLLED', 'LAST SEEN', 'STATUS'],
        terminals.map((t) => [t.terminalId, t.storeId, t.name, t.createdAt, t.lastSeenAt ?? '-', t.revokedAt ? `revoked ${t.revokedAt}` : 'active']),
      ));
    });
  terminal
    .command('revoke')
    .description("revoke a terminal: its tokens and credential stop working and its streams close")
    .argument('<terminalId>', 'terminal id', parse.uuid)
    .addOption(dataOption())
    .action(async (terminalId: string, options: DataOptions) => {
      await withDatabase(options, (db) => revokeTerminal(db, terminalId, ACTOR));
      out(`Revoked terminal ${terminalId}.`);
    });
}
