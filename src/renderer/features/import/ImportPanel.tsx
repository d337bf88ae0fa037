import { useTranslation } from 'react-i18next';
import { missingFields } from '../../../sync/model/import-mapping.ts';
import { errorFileCsv } from '../../../sync/model/import-table.ts';
import { formatNumber } from '../../lib/format.ts';
import { useLocale } from '../../lib/hooks.ts';
import { csvFileName, downloadCsv } from '../analytics/csv.ts';
import { ConflictsStep, MappingStep, Progress, useProblemText } from './ImportSteps.tsx';
import { useImportFlow, type Checked, type ImportFlow } from './useImportFlow.ts';
import './import.css';

// A manager's customer import (docs/directory.md#import): choose a file, map its columns (remembered on this
// device), check every row in a worker, decide each duplicate, write in batches with a progress bar, download
// the errors, undo the whole import. The state and the commands are in useImportFlow.ts.

/** The import, opened from the customers page. */
export function ImportPanel({ onClose }: { onClose(): void }) {
  const { t } = useTranslation('import');
  const locale = useLocale();
  const flow = useImportFlow();
  const { phase } = flow;
  const n = (value: number) => formatNumber(value, locale);
  const problem = phase.kind === 'choose' ? phase.problem : undefined;
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
            <input
              type="file"
              accept=".csv,.xlsx,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
              data-testid="import-file"
              onChange={(event) => {
                const chosen = event.target.files?.[0];
                if (chosen) flow.choose(chosen);
              }}
            />
            <small className="hint">{t('chooseHint')}</small>
          </label>
          {problem ? <p role="alert" className="error">{problem.includes(':') ? t(problem) : t(`fileProblems.${problem}`)}</p> : null}
          <RecentImports flow={flow} />
        </>
      ) : null}
      {phase.kind === 'reading' ? <p role="status">{t('reading')}</p> : null}
      {phase.kind === 'mapping' ? <Mapping flow={flow} /> : null}
      {phase.kind === 'checking' ? <Progress label={t('checking', { done: n(phase.done), total: n(phase.total) })} done={phase.done} total={phase.total} /> : null}
      {phase.kind === 'review' && flow.checked ? <Review flow={flow} checked={flow.checked} /> : null}
      {phase.kind === 'importing' ? <Progress label={t('importing', { done: n(phase.done), total: n(phase.total) })} done={phase.done} total={phase.total} /> : null}
      {phase.kind === 'done' ? <Done flow={flow} /> : null}
      {phase.kind === 'undoing' ? <p role="status">{t('undoing')}</p> : null}
      {phase.kind === 'undone' ? (
        <>
          <p role="status" data-testid="import-undone">{t('undone', { removed: n(phase.result.removed), kept: n(phase.result.kept), restored: n(phase.result.restored) })}</p>
          <button type="button" onClick={flow.again}>{t('another')}</button>
        </>
      ) : null}
    </section>
  );
}

function Mapping({ flow }: { flow: ImportFlow }) {
  const { t } = useTranslation('import');
  const locale = useLocale();
  if (!flow.table) return null;
  const missing = missingFields(flow.mapping);
  return (
    <>
      <MappingStep table={flow.table} mapping={flow.mapping} rules={flow.rules} onChange={flow.setMapping} />
      {missing.length > 0 ? <p role="alert" className="error">{t('missing')}</p> : null}
      <button type="button" className="primary" disabled={missing.length > 0} data-testid="import-check" onClick={flow.check}>
        {t('check', { count: flow.table.rowCount, n: formatNumber(flow.table.rowCount, locale) })}
      </button>
    </>
  );
}

/** Rows with at least one refused cell. */
const errorRowsOf = (checked: Checked | null) => (checked ? new Set(checked.errors.map((e) => e.line)).size : 0);

/** Downloads the error rows as CSV in the reader's language. */
function useErrorDownload(flow: ImportFlow): () => void {
  const { t } = useTranslation('import');
  const problemText = useProblemText();
  return () => {
    if (!flow.checked) return;
    const csv = errorFileCsv(flow.checked.errors, {
      headers: [t('errorHeaders.line'), t('errorHeaders.column'), t('errorHeaders.value'), t('errorHeaders.problem')],
      field: (field) => t(`fields.${field}`),
      problem: problemText,
    });
    downloadCsv(csvFileName(t('errorFileName'), flow.file.replace(/\.[^.]*$/, '')), csv);
  };
}

function Review({ flow, checked }: { flow: ImportFlow; checked: Checked }) {
  const { t } = useTranslation('import');
  const locale = useLocale();
  const n = (value: number) => formatNumber(value, locale);
  const download = useErrorDownload(flow);
  return (
    <>
      <h2>{t('reviewTitle')}</h2>
      <p data-testid="import-summary">{t('summary', { valid: n(checked.rows.length), errors: n(errorRowsOf(checked)), conflicts: n(checked.conflicts.length) })}</p>
      {checked.errors.length > 0 ? <button type="button" data-testid="import-errors" onClick={download}>{t('downloadErrors')}</button> : null}
      {checked.conflicts.length > 0 ? <ConflictsStep conflicts={checked.conflicts} choices={flow.choices} all={flow.all} onAll={flow.setAll} onChoice={flow.choice} /> : null}
      <button type="button" className="primary" data-testid="import-start" disabled={checked.rows.length === 0} onClick={flow.start}>
        {t('start', { count: checked.rows.length, n: n(checked.rows.length) })}
      </button>
    </>
  );
}

function Done({ flow }: { flow: ImportFlow }) {
  const { t } = useTranslation('import');
  const locale = useLocale();
  const n = (value: number) => formatNumber(value, locale);
  const download = useErrorDownload(flow);
  if (flow.phase.kind !== 'done') return null;
  const { outcome, skipped } = flow.phase;
  return (
    <>
      {outcome.ok ? (
        <p role="status" data-testid="import-done">{t('done', { created: n(outcome.created), merged: n(outcome.merged), skipped: n(skipped), errors: n(errorRowsOf(flow.checked)) })}</p>
      ) : (
        <p role="alert" className="error">{t('failed', { done: n(outcome.done), reason: t(outcome.error.key) })}</p>
      )}
      {flow.checked && flow.checked.errors.length > 0 ? <button type="button" onClick={download}>{t('downloadErrors')}</button> : null}
      <button type="button" data-testid="import-undo" onClick={() => flow.undo(outcome.importId)}>{t('undo')}</button>
      <button type="button" onClick={flow.again}>{t('another')}</button>
    </>
  );
}

function RecentImports({ flow }: { flow: ImportFlow }) {
  const { t } = useTranslation('import');
  const locale = useLocale();
  const open = flow.recent.filter((summary) => !summary.undone);
  if (open.length === 0) return null;
  return (
    <section aria-labelledby="import-recent">
      <h2 id="import-recent">{t('recentTitle')}</h2>
      <ul>
        {open.map((summary) => (
          <li key={summary.id}>
            {t('recentItem', { file: summary.fileName, created: formatNumber(summary.created, locale), merged: formatNumber(summary.merged, locale) })}{' '}
            <button type="button" onClick={() => flow.undo(summary.id)}>{t('undo')}</button>
          </li>
        ))}
      </ul>
    </section>
  );
}
