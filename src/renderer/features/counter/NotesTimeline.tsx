import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { NOTE_MAX, type Customer } from '../../../sync/model/customer.ts';
import type { GroupNote } from '../../../sync/model/merge-group.ts';
import { useTerminal } from '../../app/terminal-context.ts';
import { TextAreaField } from '../../components/Fields.tsx';
import { formatDateTime, isolate } from '../../lib/format.ts';
import { useLocale, useSettings } from '../../lib/hooks.ts';
import { useCommand } from '../../lib/useCommand.ts';

/**
 * The customer's notes, newest first, each with who wrote it and when (the merge group's: a merged duplicate's
 * notes show too), and a form that adds one through the `addNote` command.
 */
export function NotesTimeline({ customer, notes, staffNames }: { customer: Customer; notes: readonly GroupNote[]; staffNames: ReadonlyMap<string, string> }) {
  const { t } = useTranslation('counter');
  const locale = useLocale();
  const settings = useSettings(useTerminal());
  const add = useCommand('addNote');
  const [text, setText] = useState('');

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const result = await add.run({ customerId: customer.id, text });
    if (result.ok) setText('');
  };
  const fieldError = add.error?.fields?.text;

  return (
    <section className="panel notes-timeline" aria-labelledby="notes-heading" data-testid="notes-timeline">
      <h3 id="notes-heading">{t('notesTimeline')}</h3>
      {notes.length === 0 ? <p className="muted">{t('notesEmpty')}</p> : null}
      <ol className="timeline">
        {[...notes].reverse().map((note) => (
          <li key={note.id} data-testid="timeline-note">
            <p className="timeline-text">{note.text}</p>
            <p className="timeline-meta">
              {t('noteBy', { staff: isolate(staffNames.get(note.by) ?? t('unknownStaff')), date: formatDateTime(note.at, locale, settings.timeZone) })}
            </p>
          </li>
        ))}
      </ol>
      <form onSubmit={(event) => void submit(event)} noValidate aria-label={t('addNote')}>
        <TextAreaField
          id="add-note"
          label={t('addNote')}
          rows={2}
          maxLength={NOTE_MAX + 10}
          value={text}
          error={fieldError ? t(fieldError) : null}
          onChange={(event) => {
            setText(event.target.value);
            if (add.error) add.reset();
          }}
        />
        {add.error && !fieldError ? (
          <p className="alert alert-error" role="alert">
            {t(add.error.key)}
          </p>
        ) : null}
        <button type="submit" disabled={add.pending}>
          {add.pending ? t('saving') : t('addNoteButton')}
        </button>
      </form>
    </section>
  );
}
