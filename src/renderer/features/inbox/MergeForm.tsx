import { useId, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { Customer } from '../../../sync/model/customer.ts';
import { useCustomerLookup } from '../../db/hooks.ts';
import { InboxActionError } from './actions.ts';

type Local = Omit<Customer, '_deleted'>;

/** Finds one customer by phone (prefix or last digits) or name, with the counter's index-backed lookup. */
function CustomerPicker({ label, value, onChange }: { label: string; value: Local | null; onChange: (customer: Local | null) => void }) {
  const { t } = useTranslation('inbox');
  const id = useId();
  const [typed, setTyped] = useState('');
  const { results } = useCustomerLookup(value ? '' : typed, 8);
  return (
    <fieldset className="merge-picker">
      <legend>{label}</legend>
      {value ? (
        <p>
          <span>{value.name} (<bdi dir="ltr">{value.phone}</bdi>)</span>{' '}
          <button type="button" onClick={() => onChange(null)}>{t('merge.change')}</button>
        </p>
      ) : (
        <>
          <label htmlFor={id}>{t('merge.search')}</label>
          <input id={id} type="search" value={typed} onChange={(e) => setTyped(e.target.value)} autoComplete="off" />
          <ul className="merge-results" aria-label={t('merge.results')}>
            {results.filter((c) => c.mergedInto === null).map((c) => (
              <li key={c.id}>
                <button type="button" onClick={() => onChange(c)}>
                  {c.name} (<bdi dir="ltr">{c.phone}</bdi>)
                </button>
              </li>
            ))}
          </ul>
        </>
      )}
    </fieldset>
  );
}

/** Merges two customers by hand: the second is merged into the first (reads follow `mergedInto`). */
export function MergeForm({ onMerge }: { onMerge: (loser: Customer, keep: Customer) => Promise<void> }) {
  const { t } = useTranslation('inbox');
  const [keep, setKeep] = useState<Local | null>(null);
  const [loser, setLoser] = useState<Local | null>(null);
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null);
  const submit = async () => {
    if (!keep || !loser) return;
    setMessage(null);
    try {
      await onMerge({ ...loser, _deleted: false }, { ...keep, _deleted: false });
      setMessage({ ok: true, text: t('merge.done', { merged: loser.name, keep: keep.name }) });
      setKeep(null);
      setLoser(null);
    } catch (error) {
      setMessage({ ok: false, text: t(`actionErrors.${error instanceof InboxActionError ? error.code : 'WRITE_FAILED'}`) });
    }
  };
  return (
    <section aria-labelledby="merge-title" className="merge-form">
      <h2 id="merge-title">{t('merge.title')}</h2>
      <p className="hint">{t('merge.intro')}</p>
      <CustomerPicker label={t('merge.keep')} value={keep} onChange={setKeep} />
      <CustomerPicker label={t('merge.merged')} value={loser} onChange={setLoser} />
      <button type="button" disabled={!keep || !loser} onClick={() => void submit()}>
        {t('merge.submit')}
      </button>
      {message && <p role={message.ok ? 'status' : 'alert'}>{message.text}</p>}
    </section>
  );
}
