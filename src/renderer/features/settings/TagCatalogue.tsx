import { useEffect, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { TAG_CATALOGUE_MAX, TAG_COLOURS, type TagColour, type TagDefinition } from '../../../sync/model/settings.ts';
import { SelectField, TextField } from '../../components/Fields.tsx';
import { TagChip } from '../../components/TagChip.tsx';
import { useCommand } from '../../lib/useCommand.ts';

/**
 * The merchant's tag catalogue (managers): each tag a name and a palette colour, offered at the counter as
 * chips. Saved whole through the `saveTagCatalogue` command; a customer keeps a tag the catalogue drops (it
 * shows uncoloured).
 */
export function TagCatalogue({ catalogue }: { catalogue: readonly TagDefinition[] }) {
  const { t } = useTranslation('settings');
  const save = useCommand('saveTagCatalogue');
  const [rows, setRows] = useState<TagDefinition[]>(() => [...catalogue]);
  const [saved, setSaved] = useState(false);
  const catalogueKey = JSON.stringify(catalogue);
  // Another manager's saved catalogue replaces the form, as long as this one has nothing unsaved.
  useEffect(() => setRows(JSON.parse(catalogueKey) as TagDefinition[]), [catalogueKey]);

  const update = (index: number, patch: Partial<TagDefinition>) => {
    setSaved(false);
    save.reset();
    setRows((current) => current.map((row, i) => (i === index ? { ...row, ...patch } : row)));
  };
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const result = await save.run({ tags: rows });
    setSaved(result.ok);
  };
  const fieldError = (index: number) => {
    const key = save.error?.fields?.[`tags.${index}.name`];
    return key ? t(key) : null;
  };

  return (
    <form className="settings-form tag-catalogue" onSubmit={(event) => void submit(event)} noValidate aria-labelledby="tags-title" data-testid="tag-catalogue">
      <h2 id="tags-title">{t('tags.title')}</h2>
      <p className="hint">{t('tags.hint')}</p>
      {rows.map((row, index) => (
        <div className="tag-row" key={index} data-testid="tag-row">
          <TextField id={`tag-name-${index}`} label={t('tags.name')} value={row.name} maxLength={50} error={fieldError(index)} onChange={(event) => update(index, { name: event.target.value })} />
          <SelectField
            id={`tag-colour-${index}`}
            label={t('tags.colour')}
            value={row.colour}
            options={TAG_COLOURS.map((colour) => ({ value: colour, label: t(`tags.colours.${colour}`) }))}
            onChange={(event) => update(index, { colour: event.target.value as TagColour })}
          />
          <TagChip name={row.name || '…'} colour={row.colour} />
          <button type="button" className="button-link" onClick={() => setRows((current) => current.filter((_, i) => i !== index))}>
            {t('tags.remove')}
          </button>
        </div>
      ))}
      <div className="actions">
        <button type="button" disabled={rows.length >= TAG_CATALOGUE_MAX} onClick={() => setRows((current) => [...current, { name: '', colour: 'blue' }])}>
          {t('tags.add')}
        </button>
        <button type="submit" className="button-primary" disabled={save.pending}>
          {t('save')}
        </button>
      </div>
      {save.error ? (
        <p className="alert alert-error" role="alert">
          {t(save.error.fields ? 'saveErrors.INVALID' : save.error.key)}
        </p>
      ) : null}
      {saved ? <p role="status">{t('saved')}</p> : null}
    </form>
  );
}
