import { useCallback, useEffect, useRef, useState } from 'react';
import { useSettings } from '../../lib/hooks.ts';
import { useTranslation } from 'react-i18next';
import { useTerminal } from '../../app/terminal-context.ts';
import { CustomerCard } from './CustomerCard.tsx';
import { LookupPanel, type LookupHandle } from './LookupPanel.tsx';
import { prefillFromLookup } from './lookup-input.ts';
import { SignUpForm } from './SignUpForm.tsx';

/** `#/counter/<customer id>` opens a customer (the customers list links here). */
const CUSTOMER_HASH = /^#\/counter\/([0-9a-f-]{36})$/;

function customerFromHash(): string | null {
  return CUSTOMER_HASH.exec(location.hash)?.[1] ?? null;
}

type Detail =
  { kind: 'none' } | { kind: 'customer'; id: string } | { kind: 'signup'; prefill: { phone: string; name: string } };

/**
 * The counter: one lookup field on one side, the customer (or the sign-up form) on the other. Everything
 * reads and writes the local replica, so it works the same with the server stopped.
 */
export function CounterPage() {
  const { t } = useTranslation('counter');
  const terminal = useTerminal();
  const region = useSettings(terminal).defaultRegion;
  const [detail, setDetail] = useState<Detail>(() => {
    const id = customerFromHash();
    return id ? { kind: 'customer', id } : { kind: 'none' };
  });
  const lookupRef = useRef<HTMLInputElement>(null);
  // The typed text lives in the lookup panel (a keystroke must not re-render an open card); the page
  // gets it only when a sign-up starts from it, and clears it through this handle.
  const lookupHandle = useRef<LookupHandle>(null);

  useEffect(() => {
    const onHash = () => {
      const id = customerFromHash();
      if (id) setDetail({ kind: 'customer', id });
    };
    window.addEventListener('hashchange', onHash);
    return () => window.removeEventListener('hashchange', onHash);
  }, []);

  const backToLookup = useCallback(() => {
    lookupRef.current?.focus();
    lookupRef.current?.select();
  }, []);
  const open = useCallback((id: string) => setDetail({ kind: 'customer', id }), []);
  const signUp = useCallback((typed: string) => setDetail({ kind: 'signup', prefill: prefillFromLookup(typed, region) }), [region]);

  // Esc anywhere on the counter (not handled by the lookup itself, which clears) returns to the lookup —
  // also when focus was left on the page body, e.g. after a form closed.
  useEffect(() => {
    const onKeyDown = (event: globalThis.KeyboardEvent) => {
      if (event.key !== 'Escape' || event.defaultPrevented) return;
      if (document.activeElement === lookupRef.current) return;
      event.preventDefault();
      backToLookup();
    };
    document.addEventListener('keydown', onKeyDown);
    return () => document.removeEventListener('keydown', onKeyDown);
  }, [backToLookup]);

  return (
    <div className="counter">
      <h1 className="visually-hidden">{t('title')}</h1>
      <section className="counter-lookup" aria-label={t('lookupSection')}>
        <LookupPanel
          onOpen={open}
          onSignUp={signUp}
          inputRef={lookupRef}
          handle={lookupHandle}
          openId={detail.kind === 'customer' ? detail.id : null}
        />
      </section>
      <section className="counter-detail" aria-label={t('detailSection')}>
        {detail.kind === 'customer' ? (
          <CustomerCard key={detail.id} id={detail.id} onOpen={open} onBackToLookup={backToLookup} />
        ) : detail.kind === 'signup' ? (
          <SignUpForm
            key={`${detail.prefill.phone}|${detail.prefill.name}`}
            prefill={detail.prefill}
            onCreated={(id) => {
              // The lookup text found nobody; it would keep saying so next to the new customer.
              lookupHandle.current?.clear();
              open(id);
            }}
            onOpenExisting={open}
            onCancel={() => {
              setDetail({ kind: 'none' });
              backToLookup();
            }}
          />
        ) : (
          <div className="counter-empty">
            <p>{t('emptyHint')}</p>
            <button type="button" className="button-primary" data-testid="empty-sign-up" onClick={() => signUp('')}>
              {t('signUpEmpty')}
            </button>
          </div>
        )}
      </section>
    </div>
  );
}
