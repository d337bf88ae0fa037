import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { CustomerStats } from '../../../sync/model/customer-filter.ts';
import { EXPORT_FORMATS, EXPORT_KINDS, type ExportFormat, type ExportKind } from '../../../sync/model/export-table.ts';
import { SelectField, TextField } from '../../components/Fields.tsx';
import { useTerminal } from '../../app/terminal-context.ts';
import { useLocale, useSettings } from '../../lib/hooks.ts';
import { formatNumber } from '../../lib/format.ts';
import { useCommand } from '../../lib/useCommand.ts';
import { downloadExport } from './export-file.ts';

// Actions on the rows: tag or untag the selection (one bulk command), and export the selection — or, with
// nothing selected, every customer the filter matches — as CSV or Excel.

/** The bulk actions bar. */
export function BulkBar(props: { rows: readonly CustomerStats[]; selected: ReadonlySet<string>; canTag: boolean; onSelectAll(): void; onClear(): void }) {
  const { rows, selected, canTag, onSelectAll, onClear } = props;
  const { t } = useTranslation('customers');
  const terminal = useTerminal();
  const settings = useSettings(terminal);
  const locale = useLocale();
  const [tag, setTag] = useState('');
  const [kind, setKind] = useState<ExportKind>('customers');
  const [format, setFormat] = useState<ExportFormat>('csv');
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null);
  const tagging = useCommand('tagCustomers');
  const n = (value: number) => formatNumber(value, locale);

  async function retag(action: 'add' | 'remove') {
    const result = await tagging.run({ customerIds: [...selected], tag, action });
    if (result.ok) setMessage({ ok: true, text: t(action === 'add' ? 'bulk.tagged' : 'bulk.untagged', { count: result.value.changed, n: n(result.value.changed), tag: tag.trim() }) });
    else setMessage({ ok: false, text: t(result.error.fields?.tag ?? result.error.key) });
  }
  async function exportRows() {
    const chosen = selected.size > 0 ? rows.filter((r) => selected.has(r.id)) : rows;
    try {
      const count = await downloadExport({ kind, format, selected: chosen, stats: terminal.queries.stats, settings, locale, header: (key) => t(`exportColumns.${key}`) });
      setMessage({ ok: true, text: t('bulk.exported', { count, n: n(count) }) });
    } catch (error) {
      // Nothing was written anywhere: say so in the user's language and keep the reason for the console.
      console.error(error);
      setMessage({ ok: false, text: t('bulk.exportFailed') });
    }
  }

  return (
    <section className="bulk-bar" aria-label={t('bulk.title')} data-testid="bulk-bar">
      <p className="bulk-count" data-testid="selected-count">
        {t('bulk.selected', { count: selected.size, n: n(selected.size) })}
      </p>
      <button type="button" onClick={onSelectAll} data-testid="select-all">
        {t('bulk.selectAll', { count: rows.length, n: n(rows.length) })}
      </button>
      <button type="button" onClick={onClear} disabled={selected.size === 0}>
        {t('bulk.clear')}
      </button>
      {canTag ? (
        <>
          <TextField label={t('bulk.tag')} value={tag} maxLength={40} onChange={(e) => setTag(e.target.value)} data-testid="bulk-tag" />
          <button type="button" disabled={selected.size === 0 || tagging.pending} onClick={() => void retag('add')}>
            {t('bulk.addTag')}
          </button>
          <button type="button" disabled={selected.size === 0 || tagging.pending} onClick={() => void retag('remove')}>
            {t('bulk.removeTag')}
          </button>
        </>
      ) : null}
      <SelectField label={t('bulk.exportKind')} value={kind} options={EXPORT_KINDS.map((k) => ({ value: k, label: t(`bulk.kind_${k}`) }))} onChange={(e) => setKind(e.target.value as ExportKind)} data-testid="export-kind" />
      <SelectField label={t('bulk.exportFormat')} value={format} options={EXPORT_FORMATS.map((f) => ({ value: f, label: t(`bulk.format_${f}`) }))} onChange={(e) => setFormat(e.target.value as ExportFormat)} data-testid="export-format" />
      <button type="button" onClick={() => void exportRows()} data-testid="export">
        {selected.size > 0 ? t('bulk.exportSelection') : t('bulk.exportMatching')}
      </button>
      {message ? (
        <p role={message.ok ? 'status' : 'alert'} className={message.ok ? 'notice' : 'field-error'} data-testid="bulk-message">
          {message.text}
        </p>
      ) : null}
    </section>
  );
}
