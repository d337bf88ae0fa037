import { useEffect, useRef, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { MAX_PIN_FAILURES } from '../../../sync/client/session.ts';
import type { Staff } from '../../../sync/model/staff.ts';
import { toAsciiDigits } from '../../../sync/model/text.ts';
import { LanguageSwitch } from '../../components/LanguageSwitch.tsx';
import { PinPad } from '../../components/PinPad.tsx';
import { SyncStatusBar } from '../../components/SyncStatusBar.tsx';
import { useTerminal } from '../../app/terminal-context.ts';
import { useLocale, useNow, useSyncStatus } from '../../lib/hooks.ts';
import { useLive } from '../../lib/useLive.ts';
import { formatNumber, formatTime } from '../../lib/format.ts';

type Outcome = { kind: 'invalid'; remaining: number } | { kind: 'locked'; retryAt: number } | { kind: 'no-key' } | null;

/**
 * Staff sign-in at the terminal, offline: pick yourself, enter the PIN (pad or keyboard); it is checked
 * against the synced argon2id hash. Until the first sync has brought the staff, the sync progress is shown.
 */
export function SignInPage() {
  const { t } = useTranslation('signin');
  const terminal = useTerminal();
  const locale = useLocale();
  const status = useSyncStatus(terminal);
  const staff = useLive(() => terminal.queries.signInStaff$(), [terminal], null as Staff[] | null);
  const [selectedId, setSelectedId] = useState<string | null>(null);
  const [pin, setPin] = useState('');
  const [checking, setChecking] = useState(false);
  const [outcome, setOutcome] = useState<Outcome>(null);
  const pinRef = useRef<HTMLInputElement>(null);

  const selected = staff?.find((s) => s.id === selectedId) ?? (staff?.length === 1 ? staff[0] : undefined) ?? null;
  const now = useNow(1_000);
  // A lockout recorded earlier (this session or before a reload) shows as soon as the member is picked.
  const stored = selected ? terminal.session.lockout(selected.id) : null;
  const lockedUntil = outcome?.kind === 'locked' ? outcome.retryAt : (stored?.lockedUntil ?? 0);
  const locked = lockedUntil > now;

  useEffect(() => {
    if (selected) pinRef.current?.focus();
  }, [selected]);

  const submit = async (event?: FormEvent) => {
    event?.preventDefault();
    if (!selected || checking || pin === '') return;
    setChecking(true);
    try {
      const result = await terminal.session.signIn(selected.id, pin);
      if (result.ok) return;
      setOutcome(
        result.code === 'PIN_LOCKED'
          ? { kind: 'locked', retryAt: result.retryAt }
          : result.code === 'STAFF_KEY_MISSING'
            ? { kind: 'no-key' }
            : { kind: 'invalid', remaining: result.remaining },
      );
      setPin('');
      pinRef.current?.focus();
    } finally {
      setChecking(false);
    }
  };

  const choose = (id: string) => {
    setSelectedId(id);
    setPin('');
    setOutcome(null);
  };

  let body;
  if (staff === null || (staff.length === 0 && !status.initialSyncDone)) {
    body = (
      <section className="panel" aria-labelledby="wait-title">
        <h2 id="wait-title">{t('waitTitle')}</h2>
        <p>{t('waitText')}</p>
        <p className="progress-line">
          <progress aria-label={t('waitTitle')} />
          <span>{t('received', { count: status.received, n: formatNumber(status.received, locale) })}</span>
        </p>
      </section>
    );
  } else if (staff.length === 0) {
    body = (
      <p className="alert alert-error" role="alert">
        {t('noStaff')}
      </p>
    );
  } else {
    const secondsLeft = Math.max(0, Math.ceil((lockedUntil - now) / 1000));
    body = (
      <form className="signin" onSubmit={(event) => void submit(event)} noValidate>
        <fieldset className="staff-list">
          <legend>{t('who')}</legend>
          {staff.map((member) => (
            <label key={member.id} className={`staff-choice${selected?.id === member.id ? ' is-selected' : ''}`}>
              <input
                type="radio"
                name="staff"
                value={member.id}
                checked={selected?.id === member.id}
                onChange={() => choose(member.id)}
              />
              <span className="staff-choice-name">{member.name}</span>
              <span className="staff-choice-role">{t(`common:role.${member.role}`)}</span>
            </label>
          ))}
        </fieldset>
        <div className="pin-area">
          <label htmlFor="pin" className="field-label">
            {selected ? t('pinFor', { name: selected.name }) : t('pin')}
          </label>
          <input
            id="pin"
            ref={pinRef}
            className="pin-input"
            type="password"
            inputMode="numeric"
            autoComplete="off"
            maxLength={8}
            value={pin}
            disabled={!selected || locked || checking}
            aria-describedby="pin-message"
            onChange={(event) => setPin(toAsciiDigits(event.target.value).replace(/\D/g, '').slice(0, 8))}
          />
          <PinPad
            locale={locale}
            disabled={!selected || locked || checking}
            labels={{ group: t('pad'), backspace: t('backspace'), clear: t('clear') }}
            onDigit={(d) => setPin((p) => (p + d).slice(0, 8))}
            onBackspace={() => setPin((p) => p.slice(0, -1))}
            onClear={() => setPin('')}
          />
          <p
            id="pin-message"
            className={locked || outcome ? 'field-error' : 'field-hint'}
            role={outcome ? 'alert' : undefined}
          >
            {locked
              ? t('locked', { time: formatTime(lockedUntil, locale), seconds: formatNumber(secondsLeft, locale) })
              : outcome?.kind === 'invalid'
                ? t('wrongPin', { count: outcome.remaining, n: formatNumber(outcome.remaining, locale) })
                : outcome?.kind === 'no-key'
                  ? t('common:errors.STAFF_KEY_MISSING')
                  : t('pinHint', { n: formatNumber(MAX_PIN_FAILURES, locale) })}
          </p>
          <button
            type="submit"
            className="button-primary button-wide"
            disabled={!selected || locked || checking || pin.length < 4}
          >
            {checking ? t('checking') : t('submit')}
          </button>
        </div>
      </form>
    );
  }

  return (
    <div className="gate">
      <header className="gate-header">
        <p className="brand">{t('common:appName')}</p>
        <LanguageSwitch />
      </header>
      <SyncStatusBar />
      <main className="gate-main gate-main-wide">
        <h1>{t('title')}</h1>
        {body}
      </main>
    </div>
  );
}
