import { useEffect, useMemo, useRef, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import type { LikelyDuplicate } from '../../../sync/client/queries/duplicates.ts';
import { zonedDate } from '../../../sync/model/dates.ts';
import { parsePhone } from '../../../sync/model/phone.ts';
import { useTerminal } from '../../app/terminal-context.ts';
import { formatPhoneNumber } from '../../lib/format.ts';
import { useLocale, useSettings } from '../../lib/hooks.ts';
import { useCommand } from '../../lib/useCommand.ts';
import { CustomerFields, focusFirstError } from './CustomerFields.tsx';
import { emptyCustomerForm, validateCustomerForm, type CustomerFormValues } from './customer-form.ts';

const REASON_LABEL = { phone: 'duplicateSamePhone', secondPhone: 'duplicateSecondPhone', otherPhone: 'duplicateOtherPhone', name: 'duplicateSimilarName' } as const;

/**
 * Signs a new customer up, the phone (or name) prefilled from the lookup. Errors show inline in the UI
 * language; a likely duplicate (same number, the number is someone's second phone, or a similar name on a
 * nearly equal number) is shown before anything is created, with "open existing" — and "create anyway"
 * unless the number is already a customer's own: that is that customer (the signUp command refuses it too),
 * while a second phone may be one a family shares.
 */
export function SignUpForm(props: {
  prefill: { phone: string; name: string };
  onCreated(id: string): void;
  onOpenExisting(id: string): void;
  onCancel(): void;
}) {
  const { t } = useTranslation('counter');
  const terminal = useTerminal();
  const locale = useLocale();
  const settings = useSettings(terminal);
  const region = settings.defaultRegion;
  const signUp = useCommand('signUp');
  // The customer's id, fixed for this form once taken (it carries their member code): a second submit after a
  // lost answer cannot create a second one.
  const customerId = useRef<string | null>(null);
  const [values, setValues] = useState<CustomerFormValues>(() => emptyCustomerForm(props.prefill));
  const [showErrors, setShowErrors] = useState(false);
  const [duplicates, setDuplicates] = useState<LikelyDuplicate[]>([]);
  const [confirming, setConfirming] = useState(false);
  const formRef = useRef<HTMLFormElement>(null);
  const confirmRef = useRef<HTMLDivElement>(null);
  const today = zonedDate(new Date(), settings.timeZone);
  const result = useMemo(() => validateCustomerForm(values, region, today), [values, region, today]);
  const e164 = useMemo(() => {
    const phone = parsePhone(values.phone, region);
    return phone.ok ? phone.e164 : null;
  }, [values.phone, region]);
  const phone2 = useMemo(() => {
    const phone = values.phone2.trim() === '' ? null : parsePhone(values.phone2, region);
    return phone?.ok ? phone.e164 : null;
  }, [values.phone2, region]);

  // The duplicate check runs as soon as the number is valid (index-backed reads), so the warning is there
  // before the cashier reaches the button.
  useEffect(() => {
    if (!e164) {
      setDuplicates([]);
      return;
    }
    let live = true;
    const timer = setTimeout(() => {
      void terminal.queries.likelyDuplicates({ e164, name: values.name, phone2 }).then((found) => {
        if (live) setDuplicates(found);
      });
    }, 150);
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [terminal, e164, phone2, values.name, region]);

  useEffect(() => {
    if (confirming) confirmRef.current?.focus();
  }, [confirming]);

  // The cashier goes on with the name (the lookup already gave the phone, or nothing): once, when the form
  // opens — never again while they type.
  useEffect(() => {
    formRef.current?.querySelector<HTMLInputElement>('#signup-name')?.focus();
  }, []);

  const create = async () => {
    if (!result.ok) return;
    customerId.current ??= await terminal.newCustomerId();
    const created = await signUp.run({ ...result.input, id: customerId.current });
    if (created.ok) props.onCreated(created.value.id);
    else if (created.error.code === 'CUSTOMER_ALREADY_EXISTS' && created.error.details?.customerId) props.onOpenExisting(created.error.details.customerId);
  };

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setShowErrors(true);
    if (!result.ok) {
      // Let React render the errors first, then focus the first invalid field.
      requestAnimationFrame(() => focusFirstError(formRef.current));
      return;
    }
    const found = await terminal.queries.likelyDuplicates({ e164: result.e164, name: result.input.name, phone2 });
    setDuplicates(found);
    if (found.length > 0) {
      setConfirming(true);
      return;
    }
    await create();
  };

  return (
    <section className="panel signup" aria-labelledby="signup-title">
      <h2 id="signup-title">{t('signUpTitle')}</h2>
      <form ref={formRef} data-testid="signup-form" onSubmit={(event) => void submit(event)} noValidate>
        <CustomerFields
          idPrefix="signup"
          values={values}
          errors={showErrors && !result.ok ? result.errors : (signUp.error?.fields ?? {})}
          onChange={(patch) => {
            setValues((v) => ({ ...v, ...patch }));
            setConfirming(false);
          }}
        />
        {duplicates.length > 0 ? (
          <div
            ref={confirmRef}
            tabIndex={-1}
            className={`duplicates${confirming ? ' is-confirming' : ''}`}
            role={confirming ? 'alert' : 'region'}
            aria-label={t('duplicatesTitle')}
            data-testid="duplicates"
          >
            <p className="duplicates-title">{confirming ? t('duplicatesConfirm') : t('duplicatesTitle')}</p>
            <ul>
              {duplicates.map(({ customer, reason }) => (
                <li key={customer.id} className="duplicate">
                  <span className="duplicate-name">{customer.name}</span>
                  <bdi dir="ltr">{formatPhoneNumber(customer.phone, locale, region)}</bdi>
                  <span className="badge badge-muted">
                    {t(REASON_LABEL[reason])}
                  </span>
                  <button type="button" onClick={() => props.onOpenExisting(customer.id)}>
                    {t('openExisting')}
                  </button>
                </li>
              ))}
            </ul>
            {confirming && !duplicates.some((d) => d.reason === 'phone') ? (
              <button type="button" className="button-danger" disabled={signUp.pending} onClick={() => void create()}>
                {t('createAnyway')}
              </button>
            ) : null}
          </div>
        ) : null}
        {signUp.error ? (
          <p className="alert alert-error" role="alert">
            {t(signUp.error.key)}
          </p>
        ) : null}
        <div className="actions">
          <button type="submit" className="button-primary" disabled={signUp.pending || confirming}>
            {signUp.pending ? t('saving') : t('signUpSubmit')}
          </button>
          <button type="button" onClick={props.onCancel}>
            {t('common:cancel')}
          </button>
        </div>
      </form>
    </section>
  );
}
