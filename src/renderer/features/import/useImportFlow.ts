import { useEffect, useRef, useState } from 'react';
import type { UndoImportResult } from '../../../sync/client/commands/import.ts';
import type { ImportSummary } from '../../../sync/client/import-records.ts';
import { zonedDate } from '../../../sync/model/dates.ts';
import { findConflicts, planImport, type ConflictChoice, type ImportConflict } from '../../../sync/model/import-dedupe.ts';
import { guessMapping, rememberMapping, type ColumnMapping, type RememberedMapping } from '../../../sync/model/import-mapping.ts';
import type { ImportRow, ImportRules, RowError } from '../../../sync/model/import-rows.ts';
import { adjustLimitFor } from '../../../sync/model/ledger-rules.ts';
import { useTerminal } from '../../app/terminal-context.ts';
import { useSettings, useStaff } from '../../lib/hooks.ts';
import { createImportClient, ImportFileError, type ImportClient, type ReadTable } from './import-client.ts';
import { runImport, type ImportOutcome } from './import-run.ts';
import { choiceOrSkip } from './ImportSteps.tsx';

// The import's state and steps (ImportPanel.tsx renders them): the file read and checked by the worker, the
// duplicates matched against the replica, the writes and the undo through the terminal's commands.

const MAPPING_KEY = 'patron.import.mapping';

/** The mapping this device remembers (nothing when storage is unavailable). */
function remembered(): RememberedMapping {
  try {
    return JSON.parse(localStorage.getItem(MAPPING_KEY) ?? '{}') as RememberedMapping;
  } catch {
    return {};
  }
}

/** The checked rows, their errors and their duplicates. */
export interface Checked {
  rows: ImportRow[];
  errors: RowError[];
  conflicts: ImportConflict[];
}

/** Where the import is. `problem` is a file problem code or an error message key. */
export type Phase =
  | { kind: 'choose'; problem?: string }
  | { kind: 'reading' }
  | { kind: 'mapping' }
  | { kind: 'checking'; done: number; total: number }
  | { kind: 'review' }
  | { kind: 'importing'; done: number; total: number }
  | { kind: 'done'; outcome: ImportOutcome; skipped: number }
  | { kind: 'undoing' }
  | { kind: 'undone'; result: UndoImportResult };

const problemOf = (error: unknown) => (error instanceof ImportFileError ? error.problem : 'UNREADABLE_FILE');

/** The import's state and what the panel can do. */
export function useImportFlow() {
  const terminal = useTerminal();
  const settings = useSettings(terminal);
  const staff = useStaff(terminal);
  const client = useRef<ImportClient | null>(null);
  const [phase, setPhase] = useState<Phase>({ kind: 'choose' });
  const [file, setFile] = useState('');
  const [table, setTable] = useState<ReadTable | null>(null);
  const [mapping, setMapping] = useState<ColumnMapping>({});
  const [checked, setChecked] = useState<Checked | null>(null);
  const [choices, setChoices] = useState<Map<number, ConflictChoice>>(new Map());
  const [all, setAll] = useState<ConflictChoice>('skip');
  const [recent, setRecent] = useState<ImportSummary[]>([]);
  const rules: ImportRules = {
    region: settings.defaultRegion,
    today: zonedDate(new Date(), settings.timeZone),
    pointsLimit: staff ? adjustLimitFor(staff.role, settings.program) : 0,
  };

  useEffect(() => () => client.current?.close(), []);
  useEffect(() => {
    if (phase.kind === 'choose' || phase.kind === 'done' || phase.kind === 'undone') void terminal.queries.recentImports().then(setRecent);
  }, [phase.kind, terminal]);

  async function choose(chosen: File) {
    client.current?.close();
    client.current = createImportClient();
    setFile(chosen.name);
    setPhase({ kind: 'reading' });
    try {
      const read = await client.current.read(chosen);
      setTable(read);
      setMapping(guessMapping(read.headers, remembered()));
      setPhase({ kind: 'mapping' });
    } catch (error) {
      setPhase({ kind: 'choose', problem: problemOf(error) });
    }
  }

  async function check() {
    if (!client.current || !table) return;
    try {
      localStorage.setItem(MAPPING_KEY, JSON.stringify(rememberMapping(table.headers, mapping, remembered())));
    } catch {
      // Storage full or disabled: the mapping is not remembered, the import goes on.
    }
    setPhase({ kind: 'checking', done: 0, total: table.rowCount });
    try {
      const result = await client.current.check(mapping, rules, (done, total) => setPhase({ kind: 'checking', done, total }));
      const existing = await terminal.queries.existingCustomers();
      setChecked({ ...result, conflicts: findConflicts(result.rows, existing) });
      setChoices(new Map());
      setPhase({ kind: 'review' });
    } catch (error) {
      setPhase({ kind: 'choose', problem: problemOf(error) });
    }
  }

  async function start() {
    if (!checked) return;
    const plan = planImport(checked.rows, checked.conflicts, (conflict) => choices.get(conflict.line) ?? choiceOrSkip(conflict, all));
    setPhase({ kind: 'importing', done: 0, total: plan.creates.length + plan.merges.length });
    const outcome = await runImport(terminal.commands, file, plan, (progress) => setPhase({ kind: 'importing', ...progress }));
    setPhase({ kind: 'done', outcome, skipped: plan.skipped.length });
  }

  async function undo(importId: string) {
    setPhase({ kind: 'undoing' });
    const result = await terminal.commands.undoImport({ importId });
    setPhase(result.ok ? { kind: 'undone', result: result.value } : { kind: 'choose', problem: result.error.key });
  }

  return {
    phase, file, table, mapping, checked, choices, all, recent, rules,
    setMapping, setAll,
    choose: (chosen: File) => void choose(chosen),
    check: () => void check(),
    start: () => void start(),
    undo: (importId: string) => void undo(importId),
    choice: (line: number, choice: ConflictChoice) => setChoices((before) => new Map(before).set(line, choice)),
    again: () => setPhase({ kind: 'choose' }),
  };
}

/** The import flow of a panel. */
export type ImportFlow = ReturnType<typeof useImportFlow>;
