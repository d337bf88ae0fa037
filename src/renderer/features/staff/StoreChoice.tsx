import { useTranslation } from 'react-i18next';
import type { Locale, Store } from '../../../sync/model/settings.ts';
import { formatList } from '../../lib/format.ts';

/** The stores a member may sign in at, as checkboxes; none checked means every store. */
export function StoreChoice({ stores, chosen, onChange, error }: { stores: readonly Store[]; chosen: readonly string[]; onChange(ids: string[]): void; error?: string | null }) {
  const { t } = useTranslation('staff');
  const toggle = (id: string, on: boolean) => onChange(on ? [...chosen, id] : chosen.filter((c) => c !== id));
  return (
    <fieldset className="staff-stores">
      <legend>{t('stores')}</legend>
      <p className="field-hint">{t('storesHint')}</p>
      {stores.map((store) => (
        <label key={store.id} className="field-check">
          <input type="checkbox" checked={chosen.includes(store.id)} onChange={(event) => toggle(store.id, event.target.checked)} /> {store.name}
        </label>
      ))}
      {error ? <p className="field-error">{error}</p> : null}
    </fieldset>
  );
}

/** "Every store", or the names of the chosen ones as a list in the UI's language. */
export function storeNames(stores: readonly Store[], ids: readonly string[], every: string, locale: Locale): string {
  if (ids.length === 0) return every;
  return formatList(ids.map((id) => stores.find((s) => s.id === id)?.name ?? id), locale);
}
