import { useId, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { Customer } from '../../../sync/model/customer.ts';
import { useCustomerLookup } from '../counter/useCustomerLookup.ts';
import { useCommand } from '../../lib/useCommand.ts';
import { useTerminal } from '../../app/terminal-context.ts';
import { formatPhoneNumber } from '../../lib/format.ts';
import { useLocale, useSettings } from '../../lib/hooks.ts';

/** Finds one customer by phone (prefix or last digits) or name, with the counter's index-backed lookup. */
function CustomerPicker({ label, value, onChange }: { label: string; value: Customer | null; onChange: (customer: Customer | null) => void }) {
  const { t } = useTranslation('inbox');
  const terminal = useTerminal();
  const locale = useLocale();
  const region = useSettings(terminal).defaultRegion;
  const id = useId();
  const [typed, setTyped] = useState('');
  const { results } = useCustomerLookup(value ? '' : typed, 8);
  return (
    <fieldset className="merge-picker">
      <legend>{label}</legend>
      {value ? (
        <p>
          <span>{value.name} (<bdi dir="ltr" className="figure">{formatPhoneNumber(value.phone, locale, region)}</bdi>)</span>{' '}
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
                  {c.name} (<bdi dir="ltr" className="figure">{formatPhoneNumber(c.phone, locale, region)}</bdi>)
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
export function MergeForm() {
  const { t } = useTranslation('inbox');
  const merge = useCommand('mergeCustomers');
  const [keep, setKeep] = useState<Customer | null>(null);
  const [loser, setLoser] = useState<Customer | null>(null);
  const [merged, setMerged] = useState<{ merged: string; keep: string } | null>(null);
  const submit = async () => {
    if (!keep || !loser) return;
    setMerged(null);
    const result = await merge.run({ keepId: keep.id, mergedId: loser.id });
    if (!result.ok) return;
    setMerged({ merged: loser.name, keep: keep.name });
    setKeep(null);
    setLoser(null);
  };
  return (
    <section aria-labelledby="merge-title" className="merge-form">
      <h2 id="merge-title">{t('merge.title')}</h2>
      <p className="hint">{t('merge.intro')}</p>
      <CustomerPicker label={t('merge.keep')} value={keep} onChange={setKeep} />
      <CustomerPicker label={t('merge.merged')} value={loser} onChange={setLoser} />
      <button type="button" disabled={!keep || !loser || merge.pending} onClick={() => void submit()}>
        {t('merge.submit')}
      </button>
      {merged && <p role="status">{t('merge.done', merged)}</p>}
      {merge.error && <p role="alert">{t(merge.error.key)}</p>}
    </section>
  );
}
