import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { UndoImportResult } from '../../../sync/client/commands/import.ts';
import type { ImportSummary } from '../../../sync/client/import-records.ts';
import { zonedDate } from '../../../sync/model/dates.ts';
import { findConflicts, planImport, type ConflictChoice, type ImportConflict } from '../../../sync/model/import-dedupe.ts';
import { guessMapping, missingFields, rememberMapping, type ColumnMapping, type RememberedMapping } from '../../../sync/model/import-mapping.ts';
import type { ImportRow, ImportRules, RowError } from '../../../sync/model/import-rows.ts';
import { errorFileCsv } from '../../../sync/model/import-table.ts';
import { adjustLimitFor } from '../../../sync/model/ledger-rules.ts';
import { useTerminal } from '../../app/terminal-context.ts';
import { formatNumber } from '../../lib/format.ts';
import { useLocale, useSettings, useStaff } from '../../lib/hooks.ts';
import { csvFileName, downloadCsv } from '../analytics/csv.ts';
import { createImportClient, ImportFileError, type ImportClient, type ReadTable } from './import-client.ts';
import { runImport, type ImportOutcome } from './import-run.ts';
import { ConflictsStep, MappingStep, Progress, choiceOrSkip, useProblemText } from './ImportSteps.tsx';
import './import.css';

// A manager's customer import (docs/directory.md#import): choose a file, map its columns (remembered on this
// device), check every row in a worker, decide each duplicate, write in batches with a progress bar, download
// the errors, undo the whole import. Every write is a terminal command (importBatch, undoImport).

const MAPPING_KEY = 'patron.import.mapping';

function remembered(): RememberedMapping {
  try {
    return JSON.parse(localStorage.getItem(MAPPING_KEY) ?? '{}') as RememberedMapping;
  } catch {
    return {};
  }
}

interface Checked {
  rows: ImportRow[];
  errors: RowError[];
  conflicts: ImportConflict[];
}

type Phase =
  | { kind: 'choose'; problem?: string }
  | { kind: 'reading' }
  | { kind: 'mapping' }
  | { kind: 'checking'; done: number; total: number }
  | { kind: 'review' }
  | { kind: 'importing'; done: number; total: number }
  | { kind: 'done'; outcome: ImportOutcome; skipped: number }
  | { kind: 'undoing' }
  | { kind: 'undone'; result: UndoImportResult };

/** The import, opened from the customers page. */
export function ImportPanel({ onClose }: { onClose(): void }) {
  const { t } = useTranslation('import');
  const terminal = useTerminal();
  const settings = useSettings(terminal);
  const staff = useStaff(terminal);
  const locale = useLocale();
  const problemText = useProblemText();
  const client = useRef<ImportClient | null>(null);
  const [phase, setPhase] = useState<Phase>({ kind: 'choose' });
  const [file, setFile] = useState('');
  const [table, setTable] = useState<ReadTable | null>(null);
  const [mapping, setMapping] = useState<ColumnMapping>({});
  const [checked, setChecked] = useState<Checked | null>(null);
  const [choices, setChoices] = useState<Map<number, ConflictChoice>>(new Map());
  const [all, setAll] = useState<ConflictChoice>('skip');
  const [recent, setRecent] = useState<ImportSummary[]>([]);
  const n = (value: number) => formatNumber(value, locale);
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
      setPhase({ kind: 'choose', problem: error instanceof ImportFileError ? error.problem : 'UNREADABLE_FILE' });
    }
  }

  async function check() {
    if (!client.current || !table) return;
    localStorage.setItem(MAPPING_KEY, JSON.stringify(rememberMapping(table.headers, mapping, remembered())));
    setPhase({ kind: 'checking', done: 0, total: table.rowCount });
    try {
      const result = await client.current.check(mapping, rules, (done, total) => setPhase({ kind: 'checking', done, total }));
      const existing = await terminal.queries.existingCustomers();
      setChecked({ ...result, conflicts: findConflicts(result.rows, existing) });
      setChoices(new Map());
      setPhase({ kind: 'review' });
    } catch (error) {
      setPhase({ kind: 'choose', problem: error instanceof ImportFileError ? error.problem : 'UNREADABLE_FILE' });
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
    if (result.ok) setPhase({ kind: 'undone', result: result.value });
    else setPhase({ kind: 'choose', problem: result.error.key });
  }

  function downloadErrors() {
    if (!checked) return;
    const csv = errorFileCsv(checked.errors, {
      headers: [t('errorHeaders.line'), t('errorHeaders.column'), t('errorHeaders.value'), t('errorHeaders.problem')],
      field: (field) => t(`fields.${field}`),
      problem: problemText,
    });
    downloadCsv(csvFileName(t('errorFileName'), file.replace(/\.[^.]*$/, '')), csv);
  }

  const missing = missingFields(mapping);
  const errorRows = checked ? new Set(checked.errors.map((e) => e.line)).size : 0;
  return (
    <section className="import-panel" aria-labelledby="import-title" data-testid="import-panel">
      <header className="import-header">
        <h1 id="import-title">{t('title')}</h1>
        <button type="button" onClick={onClose}>{t('close')}</button>
      </header>
      {phase.kind === 'choose' ? (
        <>
          <label className="field">
            <span>{t('chooseFile')}</span>
            <input type="file" accept=".csv,.xlsx,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" data-testid="import-file" onChange={(event) => { const chosen = event.target.files?.[0]; if (chosen) void choose(chosen); }} />
            <small className="hint">{t('chooseHint')}</small>
          </label>
          {phase.problem ? <p role="alert" className="error">{phase.problem.includes(':') ? t(phase.problem) : t(`fileProblems.${phase.problem}`)}</p> : null}
          <RecentImports recent={recent} onUndo={(id) => void undo(id)} />
        </>
      ) : null}
      {phase.kind === 'reading' ? <p role="status">{t('reading')}</p> : null}
      {phase.kind === 'mapping' && table ? (
        <>
          <MappingStep table={table} mapping={mapping} rules={rules} onChange={setMapping} />
          {missing.length > 0 ? <p role="alert" className="error">{t('missing')}</p> : null}
          <button type="button" className="primary" disabled={missing.length > 0} data-testid="import-check" onClick={() => void check()}>
            {t('check', { count: table.rowCount, n: n(table.rowCount) })}
          </button>
        </>
      ) : null}
      {phase.kind === 'checking' ? <Progress label={t('checking', { done: n(phase.done), total: n(phase.total) })} done={phase.done} total={phase.total} /> : null}
      {phase.kind === 'review' && checked ? (
        <>
          <h2>{t('reviewTitle')}</h2>
          <p data-testid="import-summary">{t('summary', { valid: n(checked.rows.length), errors: n(errorRows), conflicts: n(checked.conflicts.length) })}</p>
          {checked.errors.length > 0 ? <button type="button" data-testid="import-errors" onClick={downloadErrors}>{t('downloadErrors')}</button> : null}
          {checked.conflicts.length > 0 ? (
            <ConflictsStep conflicts={checked.conflicts} choices={choices} all={all} onAll={setAll} onChoice={(line, choice) => setChoices((before) => new Map(before).set(line, choice))} />
          ) : null}
          <button type="button" className="primary" data-testid="import-start" disabled={checked.rows.length === 0} onClick={() => void start()}>
            {t('start', { count: checked.rows.length, n: n(checked.rows.length) })}
          </button>
        </>
      ) : null}
      {phase.kind === 'importing' ? <Progress label={t('importing', { done: n(phase.done), total: n(phase.total) })} done={phase.done} total={phase.total} /> : null}
      {phase.kind === 'done' ? (
        <>
          {phase.outcome.ok ? (
            <p role="status" data-testid="import-done">{t('done', { created: n(phase.outcome.created), merged: n(phase.outcome.merged), skipped: n(phase.skipped), errors: n(errorRows) })}</p>
          ) : (
            <p role="alert" className="error">{t('failed', { done: n(phase.outcome.done), reason: t(phase.outcome.error.key) })}</p>
          )}
          {checked && checked.errors.length > 0 ? <button type="button" onClick={downloadErrors}>{t('downloadErrors')}</button> : null}
          <button type="button" data-testid="import-undo" onClick={() => void undo(phase.outcome.importId)}>{t('undo')}</button>
          <button type="button" onClick={() => setPhase({ kind: 'choose' })}>{t('another')}</button>
        </>
      ) : null}
      {phase.kind === 'undoing' ? <p role="status">{t('undoing')}</p> : null}
      {phase.kind === 'undone' ? (
        <>
          <p role="status" data-testid="import-undone">{t('undone', { removed: n(phase.result.removed), kept: n(phase.result.kept), restored: n(phase.result.restored) })}</p>
          <button type="button" onClick={() => setPhase({ kind: 'choose' })}>{t('another')}</button>
        </>
      ) : null}
    </section>
  );
}

function RecentImports({ recent, onUndo }: { recent: readonly ImportSummary[]; onUndo(importId: string): void }) {
  const { t } = useTranslation('import');
  const locale = useLocale();
  const open = recent.filter((summary) => !summary.undone);
  if (open.length === 0) return null;
  return (
    <section aria-labelledby="import-recent">
      <h2 id="import-recent">{t('recentTitle')}</h2>
      <ul>
        {open.map((summary) => (
          <li key={summary.id}>
            {t('recentItem', { file: summary.fileName, created: formatNumber(summary.created, locale), merged: formatNumber(summary.merged, locale) })}{' '}
            <button type="button" onClick={() => onUndo(summary.id)}>{t('undo')}</button>
          </li>
        ))}
      </ul>
    </section>
  );
}
