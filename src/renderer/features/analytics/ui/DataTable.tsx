import { useState, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { csvFileName, downloadCsv, toCsv, type CsvCell } from '../csv.ts';

/** A column: its header, how a row shows, and what a row exports. */
export interface Column<Row> {
  key: string;
  header: string;
  cell: (row: Row) => ReactNode;
  csv: (row: Row) => CsvCell;
  numeric?: boolean;
}

/**
 * A captioned table with a CSV export. `exportRows` may fetch more than is shown (a drill-down list shows the
 * first rows and exports the whole list from the worker).
 */
export function DataTable<Row>(props: {
  caption: string;
  fileName: string;
  columns: readonly Column<Row>[];
  rows: readonly Row[];
  rowKey: (row: Row, index: number) => string;
  exportRows?: () => Promise<readonly Row[]>;
  empty?: string;
}) {
  const { t } = useTranslation('analytics');
  const [busy, setBusy] = useState(false);
  const [failed, setFailed] = useState(false);
  const exportCsv = async () => {
    setBusy(true);
    setFailed(false);
    try {
      const rows = props.exportRows ? await props.exportRows() : props.rows;
      downloadCsv(csvFileName(props.fileName, new Date().toISOString().slice(0, 10)), toCsv(props.columns.map((c) => c.header), rows.map((row) => props.columns.map((c) => c.csv(row)))));
    } catch {
      setFailed(true);
    } finally {
      setBusy(false);
    }
  };
  return (
    <div className="data-table">
      <div className="data-table-tools">
        <button type="button" onClick={() => void exportCsv()} disabled={busy} aria-label={t('exportTable', { table: props.caption })}>
          {t('exportCsv')}
        </button>
        {failed && <span role="alert">{t('exportFailed')}</span>}
      </div>
      <table>
        <caption>{props.caption}</caption>
        <thead>
          <tr>
            {props.columns.map((c) => (
              <th key={c.key} scope="col" className={c.numeric ? 'num' : undefined}>
                {c.header}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {props.rows.length === 0 ? (
            <tr>
              <td colSpan={props.columns.length}>{props.empty ?? t('empty')}</td>
            </tr>
          ) : (
            props.rows.map((row, i) => (
              <tr key={props.rowKey(row, i)}>
                {props.columns.map((c) => (
                  <td key={c.key} className={c.numeric ? 'num' : undefined}>
                    {c.cell(row)}
                  </td>
                ))}
              </tr>
            ))
          )}
        </tbody>
      </table>
    </div>
  );
}
