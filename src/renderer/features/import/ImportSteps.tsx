import { useTranslation } from 'react-i18next';
import { choicesFor, type ConflictChoice, type ImportConflict } from '../../../sync/model/import-dedupe.ts';
import { IMPORT_FIELDS, type ColumnMapping, type ImportField } from '../../../sync/model/import-mapping.ts';
import { rowChecker, type ImportRules } from '../../../sync/model/import-rows.ts';
import { memberCodeOf } from '../../../sync/model/member-code.ts';
import { toLocaleDigits } from '../../../sync/model/text.ts';
import { SelectField } from '../../components/Fields.tsx';
import { formatNumber } from '../../lib/format.ts';
import { useLocale } from '../../lib/hooks.ts';
import type { ReadTable } from './import-client.ts';

// The import's steps as presentational parts: the column mapping with its preview, the duplicates with a
// choice each, and a progress bar. ImportPanel.tsx holds the state and calls the terminal.

/** Conflicts listed one by one; the rest follow the choice for all. */
const LISTED_CONFLICTS = 200;

/** The translated message of a row problem (the sign-up form's words where it shares the problem). */
export function useProblemText(): (problem: string) => string {
  const { t } = useTranslation('import');
  return (problem) => (t(`problems.${problem}`, { defaultValue: '' }) || t(`common:fields.${problem}`));
}

/** Which column holds each field, and the first rows as they will be imported. */
export function MappingStep(props: { table: ReadTable; mapping: ColumnMapping; rules: ImportRules; onChange(mapping: ColumnMapping): void }) {
  const { t } = useTranslation('import');
  const { table, mapping } = props;
  const columns = [{ value: '', label: t('notImported') }, ...table.headers.map((header, i) => ({ value: String(i), label: header || `#${i + 1}` }))];
  const set = (field: ImportField, value: string) => {
    const next: ColumnMapping = { ...mapping };
    if (value === '') delete next[field];
    else next[field] = Number(value);
    props.onChange(next);
  };
  return (
    <section aria-labelledby="import-mapping" data-testid="import-mapping">
      <h2 id="import-mapping">{t('mappingTitle')}</h2>
      <p className="hint">{t('mappingHint')}</p>
      <div className="import-mapping">
        {IMPORT_FIELDS.map((field) => (
          <SelectField
            key={field}
            label={t(`fields.${field}`)}
            data-field={field}
            value={mapping[field] === undefined ? '' : String(mapping[field])}
            options={columns}
            onChange={(event) => set(field, event.target.value)}
          />
        ))}
      </div>
      <Preview {...props} />
    </section>
  );
}

function Preview({ table, mapping, rules }: { table: ReadTable; mapping: ColumnMapping; rules: ImportRules }) {
  const { t } = useTranslation('import');
  const locale = useLocale();
  const problemText = useProblemText();
  const check = rowChecker(rules);
  const shown: ImportField[] = ['name', 'phone', 'email', 'birthday', 'points'];
  return (
    <table className="import-preview" data-testid="import-preview">
      <caption>{t('previewTitle')}</caption>
      <thead>
        <tr>
          <th scope="col">{t('previewLine')}</th>
          {shown.map((field) => (
            <th scope="col" key={field}>{t(`fields.${field}`)}</th>
          ))}
          <th scope="col">{t('previewProblems')}</th>
        </tr>
      </thead>
      <tbody>
        {table.preview.map((cells, i) => {
          const result = check(cells, i + 2, mapping);
          const row = 'row' in result ? result.row : null;
          return (
            <tr key={i}>
              <td>{formatNumber(i + 2, locale, { useGrouping: false })}</td>
              {shown.map((field) => (
                <td key={field} dir={field === 'phone' || field === 'email' ? 'ltr' : undefined}>
                  {row ? (field === 'points' ? formatNumber(row.points, locale) : String(row[field] ?? '')) : (mapping[field] === undefined ? '' : (cells[mapping[field]] ?? ''))}
                </td>
              ))}
              <td>{'errors' in result ? result.errors.map((e) => `${t(`fields.${e.field}`)}: ${problemText(e.problem)}`).join('; ') : t('previewOk')}</td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}

/** The duplicates with a choice each (the first ones listed), and a choice for all. */
export function ConflictsStep(props: { conflicts: readonly ImportConflict[]; choices: ReadonlyMap<number, ConflictChoice>; all: ConflictChoice; onAll(choice: ConflictChoice): void; onChoice(line: number, choice: ConflictChoice): void }) {
  const { t } = useTranslation('import');
  const locale = useLocale();
  const n = (value: number) => formatNumber(value, locale, { useGrouping: false });
  const describe = (c: ImportConflict) =>
    'existing' in c
      ? t('conflictExisting', { line: n(c.line), by: t(`by.${c.by}`), name: toLocaleDigits(memberCodeOf(c.existing), locale) })
      : t('conflictEarlier', { line: n(c.line), by: t(`by.${c.by}`), earlier: n(c.earlierLine) });
  const listed = props.conflicts.slice(0, LISTED_CONFLICTS);
  return (
    <section aria-labelledby="import-conflicts" data-testid="import-conflicts">
      <h2 id="import-conflicts">{t('conflictsTitle')}</h2>
      <p className="hint">{t('conflictsHint')}</p>
      <SelectField
        label={t('conflictAll')}
        data-testid="conflict-all"
        value={props.all}
        options={(['skip', 'merge', 'create'] as const).map((c) => ({ value: c, label: t(`choice.${c}`) }))}
        onChange={(event) => props.onAll(event.target.value as ConflictChoice)}
      />
      <ul className="import-conflicts">
        {listed.map((conflict) => (
          <li key={conflict.line} data-testid="import-conflict" data-line={conflict.line}>
            <span>{describe(conflict)}</span>
            <select
              aria-label={t('conflictChoice', { line: n(conflict.line) })}
              value={props.choices.get(conflict.line) ?? choiceOrSkip(conflict, props.all)}
              onChange={(event) => props.onChoice(conflict.line, event.target.value as ConflictChoice)}
            >
              {choicesFor(conflict).map((c) => (
                <option key={c} value={c}>{t(`choice.${c}`)}</option>
              ))}
            </select>
          </li>
        ))}
      </ul>
      {props.conflicts.length > listed.length ? <p>{t('conflictsMore', { n: formatNumber(props.conflicts.length - listed.length, locale) })}</p> : null}
    </section>
  );
}

/** The choice for all, where the conflict offers it (a taken phone cannot be created: skip). */
export function choiceOrSkip(conflict: ImportConflict, all: ConflictChoice): ConflictChoice {
  return choicesFor(conflict).includes(all) ? all : 'skip';
}

/** A progress bar with its text. */
export function Progress({ label, done, total }: { label: string; done: number; total: number }) {
  return (
    <div className="import-progress" data-testid="import-progress">
      <progress max={Math.max(total, 1)} value={done} aria-label={label} />
      <span role="status">{label}</span>
    </div>
  );
}
