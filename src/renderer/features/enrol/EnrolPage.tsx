import { useMutation, useQuery } from '@tanstack/react-query';
import { useEffect, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import type { Runtime } from '../../app/runtime.ts';
import { LanguageSwitch } from '../../components/LanguageSwitch.tsx';
import { TextField } from '../../components/Fields.tsx';
import { errorKey } from '../../lib/errors.ts';
import { useServiceWorker } from '../../lib/hooks.ts';
import { getPlatform } from '../../lib/platform.ts';
import { ENROL_CODE, enrolCodeFromUrl, fetchDemoAvailable, isLoopbackHost, normalizeEnrolCode, requestDemoCode } from './enrol-code.ts';

/**
 * First screen of a fresh device: enrol it as a terminal of a store with a one-time code. The sync server is
 * the one that served the page (web) or the desktop setting; on this very machine the demo enrols in one click.
 */
export function EnrolPage({ runtime }: { runtime: Runtime }) {
  const { t } = useTranslation('enrol');
  useServiceWorker();
  const platform = getPlatform();
  const serverUrl = useQuery({
    queryKey: ['enrol', 'server-url'],
    queryFn: () => runtime.serverUrl(),
    staleTime: Infinity,
  });
  const url = serverUrl.data;
  const loopback = url !== undefined && isLoopbackHost(new URL(url).hostname);
  const demo = useQuery({
    queryKey: ['enrol', 'demo', url],
    queryFn: () => fetchDemoAvailable(url ?? ''),
    enabled: url !== undefined && loopback,
    retry: false,
  });

  // A QR code of the Devices page opens this page with the code in the address: filled in, and then taken
  // out of the address so a one-time code does not stay in the browser's history.
  const [code, setCode] = useState(() => enrolCodeFromUrl(location));
  useEffect(() => {
    if (enrolCodeFromUrl(location) !== '') history.replaceState(null, '', location.pathname);
  }, []);
  const [deviceName, setDeviceName] = useState(() => t('defaultDeviceName'));
  const [touched, setTouched] = useState(false);

  const enrol = useMutation({
    mutationFn: (input: { code: string; deviceName: string }) => runtime.enrol(input.code, input.deviceName),
  });
  const enrolDemo = useMutation({
    mutationFn: async (name: string) => runtime.enrol(await requestDemoCode(url ?? ''), name),
  });
  const busy = enrol.isPending || enrolDemo.isPending;
  const error = enrol.error ?? enrolDemo.error;

  const codeError = touched && !ENROL_CODE.test(code) ? t('codeInvalid') : null;
  const nameError = touched && deviceName.trim() === '' ? t('deviceNameRequired') : null;

  const submit = (event: FormEvent) => {
    event.preventDefault();
    setTouched(true);
    if (!ENROL_CODE.test(code) || deviceName.trim() === '') return;
    enrolDemo.reset();
    enrol.mutate({ code, deviceName: deviceName.trim().slice(0, 100) });
  };

  return (
    <div className="gate">
      <header className="gate-header">
        <p className="brand">{t('common:appName')}</p>
        <LanguageSwitch />
      </header>
      <main className="gate-main">
        <h1>{t('title')}</h1>
        <p className="lead">{t('intro')}</p>

        {platform.kind === 'desktop' && url !== undefined ? <DesktopServer key={url} current={url} /> : null}
        <p className="server-line">
          <span className="muted">{t('server')}</span>
          <bdi dir="ltr">{url ?? t('common:loading')}</bdi>
        </p>

        {error ? (
          <p role="alert" className="alert alert-error">
            {t(errorKey(error))}
          </p>
        ) : null}

        {demo.data === true ? (
          <section className="panel demo-panel" aria-labelledby="demo-title">
            <h2 id="demo-title">{t('demoTitle')}</h2>
            <p>{t('demoText')}</p>
            <button
              type="button"
              className="button-primary"
              disabled={busy}
              onClick={() => {
                enrol.reset();
                enrolDemo.mutate(deviceName.trim() || t('defaultDeviceName'));
              }}
            >
              {enrolDemo.isPending ? t('enrolling') : t('demoButton')}
            </button>
          </section>
        ) : null}

        <form className="panel form-grid" onSubmit={submit} noValidate aria-labelledby="code-title">
          <h2 id="code-title">{t('codeTitle')}</h2>
          <TextField
            label={t('code')}
            hint={t('codeHint')}
            error={codeError}
            requiredMark
            required
            value={code}
            onChange={(event) => setCode(normalizeEnrolCode(event.target.value))}
            autoComplete="off"
            autoCapitalize="characters"
            spellCheck={false}
            dir="ltr"
            className="field-code"
            autoFocus
          />
          <TextField
            label={t('deviceName')}
            hint={t('deviceNameHint')}
            error={nameError}
            requiredMark
            required
            maxLength={100}
            value={deviceName}
            onChange={(event) => setDeviceName(event.target.value)}
          />
          <div className="actions">
            <button type="submit" className="button-primary" disabled={busy}>
              {enrol.isPending ? t('enrolling') : t('submit')}
            </button>
          </div>
        </form>
      </main>
    </div>
  );
}

/** Desktop only: the sync server this terminal talks to (the web app always uses the server that served it). */
function DesktopServer({ current }: { current: string | undefined }) {
  const { t } = useTranslation('enrol');
  const [value, setValue] = useState(current ?? '');
  const save = useMutation({
    mutationFn: async (next: string) => {
      const update = await getPlatform().setSyncServerUrl(next.trim() === '' ? null : next.trim());
      // The page's CSP fixes connect-src at load: a new server origin needs a reload to be reachable.
      if (update.reloadRequired) location.reload();
      return update;
    },
  });
  return (
    <form
      className="inline-form"
      onSubmit={(event) => {
        event.preventDefault();
        save.mutate(value);
      }}
    >
      <TextField
        label={t('serverUrl')}
        hint={t('serverUrlHint')}
        error={save.error ? t('serverUrlInvalid') : null}
        type="url"
        dir="ltr"
        value={value}
        onChange={(event) => setValue(event.target.value)}
      />
      <button type="submit" disabled={save.isPending}>
        {t('serverUrlSave')}
      </button>
    </form>
  );
}
