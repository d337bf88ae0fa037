import type { z } from 'zod';
import { runCommand, type CommandResult, type CommandSpec } from './command.ts';
import { addNote, editCustomerDetails, recordConsent, signUp } from './customers.ts';
import { removeGroup, saveGroup, tagCustomers } from './directory.ts';
import type { CommandEnv } from './env.ts';
import { importBatch, undoImport } from './import.ts';
import { mergeCustomers, resolveInboxItem } from './inbox.ts';
import { adjustPoints, undoRedemption } from './loyalty.ts';
import { eraseCustomerData, exportCustomerData } from './privacy.ts';
import { redeem } from './redeem.ts';
import { redeemStampCard } from './stamps.ts';
import { removeReward, saveCurrencyDisplay, saveProgram, saveReward, saveSegments, saveTagCatalogue } from './settings.ts';
import { addStaffMember, resetStaffPin, updateStaffMember } from './staff.ts';
import { recordVisit, voidVisitCommand } from './visits.ts';

/**
 * Every write the terminal's UI can make, by name (the UI calls them; nothing else writes the replica), and
 * the subject-access export, a read that needs the same role check and typed refusals.
 */
export const COMMANDS = {
  signUp,
  editCustomer: editCustomerDetails,
  addNote,
  recordConsent,
  recordVisit,
  voidVisit: voidVisitCommand,
  redeem,
  redeemStampCard,
  adjustPoints,
  undoRedemption,
  resolveInboxItem,
  mergeCustomers,
  exportCustomerData,
  eraseCustomerData,
  saveCurrencyDisplay,
  saveProgram,
  saveSegments,
  saveTagCatalogue,
  saveReward,
  removeReward,
  saveGroup,
  removeGroup,
  tagCustomers,
  importBatch,
  undoImport,
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
