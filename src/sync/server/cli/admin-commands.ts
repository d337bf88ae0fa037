import { checkedPin, parse, pinFromEnv, type CliContext, type DataOptions } from './context.ts';
import type { Command } from 'commander';
import { Option } from 'commander';
import { ROLES, type Role } from '../../model/common.ts';
import { type Locale } from '../../model/settings.ts';
import { textTable } from '../demo/summary.ts';

// Each command parses its options and runs one administrative operation (repositories/admin-operations.ts)
// through `cli.admin`, in this process or inside the running server. Wherever an id is asked, a name works
// too; the output always shows the ids.

const MERCHANT = '--merchant <id|name>';
const STORE = '--store <id|name>';

/** `merchant`, `store`, `staff`, `enrol-code` and `terminal`: setting a shop up. */
export function registerAdminCommands(program: Command, cli: CliContext): void {
  registerMerchants(program, cli);
  registerStores(program, cli);
  registerStaff(program, cli);
  registerTerminals(program, cli);
}

function registerMerchants(program: Command, cli: CliContext): void {
  const { out, json, admin, dataOption, jsonOption } = cli;
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
      const created = await admin(options, 'merchant.create', input);
      if (options.json) json(created);
      else out(`Created merchant ${created.merchantId} "${input.name}" (${input.currency}, ${input.defaultRegion}, ${input.locale}, ${input.timeZone}).\nNext: patron-sync store create --merchant ${created.merchantId} --name <name>`);
    });
  merchant
    .command('list')
    .description('list the merchants on this server')
    .addOption(dataOption())
    .addOption(jsonOption())
    .action(async (options: DataOptions & { json?: boolean }) => {
      const merchants = await admin(options, 'merchant.list', {});
      if (options.json) return json(merchants);
      if (merchants.length === 0) return out('No merchants yet. Create one with: patron-sync merchant create');
      out(textTable(['MERCHANT', 'NAME', 'STORES', 'CREATED'], merchants.map((m) => [m.merchantId, m.name, String(m.stores), m.createdAt])));
    });
}

function registerStores(program: Command, cli: CliContext): void {
  const { out, json, admin, dataOption, jsonOption } = cli;
  const store = program.command('store').description('manage stores');
  store
    .command('create')
    .description("create a store and list it in the merchant's settings")
    .requiredOption(MERCHANT, 'merchant id or name', parse.ref)
    .requiredOption('--name <name>', 'store name', parse.name)
    .option('--address <text>', 'street address', parse.address)
    .addOption(dataOption())
    .addOption(jsonOption())
    .action(async (options: DataOptions & { merchant: string; name: string; address?: string; json?: boolean }) => {
      const created = await admin(options, 'store.create', { merchant: options.merchant, name: options.name, address: options.address ?? '' });
      if (options.json) json(created);
      else out(`Created store ${created.storeId} "${created.name}".\nNext: patron-sync enrol-code --merchant ${created.merchantId} --store ${created.storeId}`);
    });
  store
    .command('list')
    .description("list a merchant's stores")
    .requiredOption(MERCHANT, 'merchant id or name', parse.ref)
    .addOption(dataOption())
    .addOption(jsonOption())
    .action(async (options: DataOptions & { merchant: string; json?: boolean }) => {
      const stores = await admin(options, 'store.list', { merchant: options.merchant });
      if (options.json) return json(stores);
      if (stores.length === 0) return out('No stores yet. Create one with: patron-sync store create');
      out(textTable(['STORE', 'NAME', 'CREATED'], stores.map((s) => [s.storeId, s.name, s.createdAt])));
    });
}

function registerStaff(program: Command, cli: CliContext): void {
  const { io, out, json, admin, dataOption, jsonOption } = cli;
  const staff = program.command('staff').description('manage staff');
  staff
    .command('add')
    .description("add a staff member (the first owner; owners add the rest on the app's Staff page); terminals check the PIN offline against its argon2id hash")
    .requiredOption(MERCHANT, 'merchant id or name', parse.ref)
    .requiredOption('--name <name>', 'name shown at sign-in', parse.name)
    .addOption(new Option('--role <role>', 'what the member may do').choices(ROLES).makeOptionMandatory())
    .option('--pin <digits>', '4–8 digit PIN (better: PATRON_STAFF_PIN, which stays out of the shell history)')
    .option(STORE, 'a store the member may sign in at (repeatable; default: every store)', (value: string, previous: string[] = []) => [...previous, parse.ref(value)])
    .addOption(dataOption())
    .addOption(jsonOption())
    .action(async (options: DataOptions & { merchant: string; name: string; role: Role; pin?: string; store?: string[]; json?: boolean }) => {
      const pin = options.pin === undefined ? pinFromEnv(io.env) : checkedPin(options.pin);
      const member = await admin(options, 'staff.add', { merchant: options.merchant, name: options.name, role: options.role, pin, stores: options.store ?? [] });
      if (options.json) json(member);
      else out(`Added ${member.role} ${member.staffId} "${member.name}"${member.storeIds.length > 0 ? ` at ${member.storeIds.length} store(s)` : ' at every store'}. Terminals receive the member on their next sync.`);
    });
  staff
    .command('list')
    .description("list a merchant's staff (never their PINs)")
    .requiredOption(MERCHANT, 'merchant id or name', parse.ref)
    .addOption(dataOption())
    .addOption(jsonOption())
    .action(async (options: DataOptions & { merchant: string; json?: boolean }) => {
      const members = await admin(options, 'staff.list', { merchant: options.merchant });
      if (options.json) return json(members);
      if (members.length === 0) return out('No staff yet. Add someone with: patron-sync staff add');
      out(textTable(['STAFF', 'NAME', 'ROLE', 'STORES', 'STATUS'], members.map((m) => [m.staffId, m.name, m.role, m.storeIds.length === 0 ? 'every store' : m.storeIds.join(' '), m.active ? 'active' : 'inactive'])));
    });
  staff
    .command('pin')
    .description("set a member's PIN: a new hash and a new signing key (managers and owners: at least 6 digits)")
    .requiredOption(MERCHANT, 'merchant id or name', parse.ref)
    .requiredOption('--staff <id>', 'staff member id (patron-sync staff list)', parse.uuid)
    .option('--pin <digits>', 'the new PIN (better: PATRON_STAFF_PIN, which stays out of the shell history)')
    .addOption(dataOption())
    .addOption(jsonOption())
    .action(async (options: DataOptions & { merchant: string; staff: string; pin?: string; json?: boolean }) => {
      const pin = options.pin === undefined ? pinFromEnv(io.env) : checkedPin(options.pin);
      const member = await admin(options, 'staff.pin', { merchant: options.merchant, staff: options.staff, pin });
      if (options.json) json(member);
      else out(`New PIN set for ${member.role} ${member.staffId} "${member.name}". Terminals receive it on their next sync.`);
    });
}

function registerTerminals(program: Command, cli: CliContext): void {
  const { out, json, admin, dataOption, jsonOption } = cli;
  program
    .command('enrol-code')
    .description('create a one-time code that enrols one terminal for one store')
    .requiredOption(MERCHANT, 'merchant id or name', parse.ref)
    .requiredOption(STORE, 'store the terminal will belong to (id or name)', parse.ref)
    .option('--ttl-minutes <minutes>', 'minutes until the code expires', parse.positive(7 * 24 * 60), 60)
    .addOption(dataOption())
    .addOption(jsonOption())
    .action(async (options: DataOptions & { merchant: string; store: string; ttlMinutes: number; json?: boolean }) => {
      const made = await admin(options, 'enrol-code', { merchant: options.merchant, store: options.store, ttlMinutes: options.ttlMinutes });
      if (options.json) json(made);
      else out(`Enrolment code: ${made.code}\nSingle use, for store ${made.storeId}, valid until ${made.expiresAt}.`);
    });

  const terminal = program.command('terminal').description('manage enrolled terminals');
  terminal
    .command('list')
    .description("list a merchant's terminals")
    .requiredOption(MERCHANT, 'merchant id or name', parse.ref)
    .addOption(dataOption())
    .addOption(jsonOption())
    .action(async (options: DataOptions & { merchant: string; json?: boolean }) => {
      const terminals = await admin(options, 'terminal.list', { merchant: options.merchant });
      if (options.json) return json(terminals);
      if (terminals.length === 0) return out('No terminals enrolled yet. Create a code with: patron-sync enrol-code');
      out(textTable(
        ['TERMINAL', 'NO', 'STORE', 'NAME', 'ENROLLED', 'LAST SEEN', 'STATUS'],
        terminals.map((t) => [t.terminalId, String(t.number), t.storeName, t.name, t.createdAt, t.lastSeenAt ?? '-', t.revokedAt ? `revoked ${t.revokedAt}` : 'active']),
      ));
    });
  terminal
    .command('revoke')
    .description('revoke a terminal: its tokens and credential stop working and its streams close')
    .argument('<terminal>', 'terminal id or device name', parse.ref)
    .option(MERCHANT, 'look the device name up in this merchant only', parse.ref)
    .addOption(dataOption())
    .action(async (terminalRef: string, options: DataOptions & { merchant?: string }) => {
      const { terminalId } = await admin(options, 'terminal.revoke', { terminal: terminalRef, ...(options.merchant === undefined ? {} : { merchant: options.merchant }) });
      out(`Revoked terminal ${terminalId}.`);
    });
}
