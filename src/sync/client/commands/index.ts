import type { z } from 'zod';
import { runCommand, type CommandResult, type CommandSpec } from './command.ts';
import { editCustomerDetails, signUp } from './customers.ts';
import type { CommandEnv } from './env.ts';
import { mergeCustomers, resolveInboxItem } from './inbox.ts';
import { adjustPoints, undoRedemption } from './loyalty.ts';
import { redeem } from './redeem.ts';
import { removeReward, saveCurrencyDisplay, saveProgram, saveReward, saveSegments } from './settings.ts';
import { addStaffMember, resetStaffPin, updateStaffMember } from './staff.ts';
import { recordVisit, voidVisitCommand } from './visits.ts';

/** Every write the terminal's UI can make, by name (the UI calls them; nothing else writes the replica). */
export const COMMANDS = {
  signUp,
  editCustomer: editCustomerDetails,
  recordVisit,
  voidVisit: voidVisitCommand,
  redeem,
  adjustPoints,
  undoRedemption,
  resolveInboxItem,
  mergeCustomers,
  saveCurrencyDisplay,
  saveProgram,
  saveSegments,
  saveReward,
  removeReward,
  addStaffMember,
  updateStaffMember,
  resetStaffPin,
};

/** A command's name. */
export type CommandName = keyof typeof COMMANDS;

type SpecOf<K extends CommandName> = (typeof COMMANDS)[K];
type InputSchemaOf<S> = S extends CommandSpec<infer I, unknown> ? I : never;
type ValueOf<S> = S extends CommandSpec<z.ZodType, infer T> ? T : never;

/** What a command takes (before parsing: defaults may be left out). */
export type CommandInput<K extends CommandName> = z.input<InputSchemaOf<SpecOf<K>>>;
/** What a command gives back when it succeeds. */
export type CommandValue<K extends CommandName> = ValueOf<SpecOf<K>>;

/** The terminal's commands, typed end to end. */
export type Commands = { [K in CommandName]: (input: CommandInput<K>) => Promise<CommandResult<CommandValue<K>>> };

/** The commands of a terminal. `onUnexpected` hears failures that are not a person's doing (a storage error). */
export function createCommands(env: CommandEnv, onUnexpected: (error: unknown) => void): Commands {
  const entries = Object.entries(COMMANDS).map(([name, spec]) => [
    name,
    (input: unknown) => runCommand(env, spec as CommandSpec<z.ZodType, unknown>, input, onUnexpected),
  ]);
  return Object.fromEntries(entries) as Commands;
}

export type { CommandError, CommandResult } from './command.ts';
export type { CommandEnv, TerminalIdentity } from './env.ts';
export type { InboxAction } from './inbox.ts';
