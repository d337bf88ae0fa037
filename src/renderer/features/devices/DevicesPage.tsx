import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { DeviceFailure, DeviceResult, NewDeviceCode } from '../../../sync/client/devices.ts';
import type { Device } from '../../../sync/model/wire-protocol.ts';
import { useTerminal } from '../../app/terminal-context.ts';
import { QrCode } from '../../components/QrCode.tsx';
import { asLocale, formatDateTime, formatNumber } from '../../lib/format.ts';
import { useSettings } from '../../lib/hooks.ts';
import './devices.css';

/** A failed device call as a translated message: offline has its own words, the rest are error codes. */
function useFailureText(): (failure: DeviceFailure) => string {
  const { t } = useTranslation('devices');
  return (failure) => (failure === 'offline' ? t('offline') : t(`common:errors.${failure}`));
}

/** A device call's value, or its failure thrown so TanStack Query keeps it as the error. */
async function unwrap<T>(result: Promise<DeviceResult<T>>): Promise<T> {
  const settled = await result;
  if (!settled.ok) throw new DeviceCallFailure(settled.error);
  return settled.value;
}

class DeviceCallFailure extends Error {
  constructor(readonly failure: DeviceFailure) {
    super(failure);
  }
}

const failureOf = (error: unknown): DeviceFailure => (error instanceof DeviceCallFailure ? error.failure : 'INTERNAL');

/**
 * The merchant's devices (managers and owners): every enrolled terminal with its store and when it was last
 * seen, revoking one, and adding one — a one-time code and a QR code a tablet on the network scans to open
 * the enrol page with the code filled in. These are server calls: offline, the page says so.
 */
export function DevicesPage() {
  const { t } = useTranslation('devices');
  const terminal = useTerminal();
  const failureText = useFailureText();
  const devices = useQuery({ queryKey: ['devices', terminal.identity.terminalId], queryFn: () => unwrap(terminal.devices.list()), retry: false });

  return (
    <section className="devices" data-testid="devices-page" aria-labelledby="devices-title">
      <h1 id="devices-title">{t('title')}</h1>
      <p className="hint">{t('intro')}</p>
      <AddDevice />
      <h2>{t('listTitle')}</h2>
      {devices.isPending ? <p role="status">{t('common:loading')}</p> : null}
      {devices.error ? (
        <p role="alert" className="alert alert-error">
          {failureText(failureOf(devices.error))}{' '}
          <button type="button" className="button-link" onClick={() => void devices.refetch()}>
            {t('retry')}
          </button>
        </p>
      ) : null}
      {devices.data ? <DeviceTable devices={devices.data} /> : null}
    </section>
  );
}

function DeviceTable({ devices }: { devices: Device[] }) {
  const { t, i18n } = useTranslation('devices');
  const locale = asLocale(i18n.language);
  const { timeZone } = useSettings(useTerminal());
  const [confirming, setConfirming] = useState<Device | null>(null);
  const when = (iso: string | null) => (iso === null ? t('never') : formatDateTime(iso, locale, timeZone));
  return (
    <>
      <table className="devices-table" data-testid="devices-table">
        <thead>
          <tr>
            {['number', 'name', 'store', 'enrolled', 'lastSeen', 'status', 'actions'].map((c) => (
              <th key={c} scope="col">{t(`columns.${c}`)}</th>
            ))}
          </tr>
        </thead>
        <tbody>
          {devices.map((d) => (
            <tr key={d.terminalId} data-terminal-id={d.terminalId}>
              <td>{formatNumber(d.number, locale)}</td>
              <td>
                <bdi>{d.name}</bdi> {d.current ? <span className="muted">{t('thisDevice')}</span> : null}
              </td>
              <td>
                <bdi>{d.storeName}</bdi>
              </td>
              <td>{when(d.enrolledAt)}</td>
              <td>{when(d.lastSeenAt)}</td>
              <td>{d.revokedAt ? t('revokedAt', { when: when(d.revokedAt) }) : t('active')}</td>
              <td>
                {!d.revokedAt && !d.current ? (
                  <button type="button" onClick={() => setConfirming(d)}>
                    {t('revoke')}
                  </button>
                ) : null}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {confirming ? <ConfirmRevoke device={confirming} onDone={() => setConfirming(null)} /> : null}
    </>
  );
}

function ConfirmRevoke({ device, onDone }: { device: Device; onDone: () => void }) {
  const { t } = useTranslation('devices');
  const terminal = useTerminal();
  const queries = useQueryClient();
  const failureText = useFailureText();
  const revoke = useMutation({
    mutationFn: () => unwrap(terminal.devices.revoke(device.terminalId)),
    onSuccess: async () => {
      await queries.invalidateQueries({ queryKey: ['devices'] });
      onDone();
    },
  });
  return (
    <div role="alertdialog" aria-modal="false" aria-labelledby="revoke-title" aria-describedby="revoke-text" className="panel revoke-confirm">
      <h2 id="revoke-title">{t('confirmTitle', { name: device.name })}</h2>
      <p id="revoke-text">{t('confirmText')}</p>
      {revoke.error ? (
        <p role="alert" className="alert alert-error">
          {failureText(failureOf(revoke.error))}
        </p>
      ) : null}
      <div className="actions">
        <button type="button" className="button-danger" disabled={revoke.isPending} onClick={() => revoke.mutate()}>
          {t('confirmRevoke')}
        </button>
        {/* Focus on the harmless choice: Enter after "Revoke…" must not revoke by accident. */}
        <button type="button" onClick={onDone} disabled={revoke.isPending} autoFocus>
          {t('cancel')}
        </button>
      </div>
    </div>
  );
}

function AddDevice() {
  const { t } = useTranslation('devices');
  const terminal = useTerminal();
  const { stores } = useSettings(terminal);
  const failureText = useFailureText();
  const [storeId, setStoreId] = useState(terminal.identity.storeId);
  const make = useMutation({ mutationFn: (store: string) => unwrap(terminal.devices.newCode(store)) });
  return (
    <section className="panel add-device" aria-labelledby="add-device-title">
      <h2 id="add-device-title">{t('addTitle')}</h2>
      <p>{t('addText')}</p>
      <form
        className="inline-form"
        onSubmit={(event) => {
          event.preventDefault();
          make.mutate(storeId);
        }}
      >
        <label>
          {t('store')}{' '}
          <select value={storeId} onChange={(event) => setStoreId(event.target.value)}>
            {stores.map((s) => (
              <option key={s.id} value={s.id}>
                {s.name}
              </option>
            ))}
          </select>
        </label>
        <button type="submit" className="button-primary" disabled={make.isPending}>
          {make.isPending ? t('making') : t('makeCode')}
        </button>
      </form>
      {make.error ? (
        <p role="alert" className="alert alert-error">
          {failureText(failureOf(make.error))}
        </p>
      ) : null}
      {make.data ? <NewCode made={make.data} /> : null}
    </section>
  );
}

function NewCode({ made }: { made: NewDeviceCode }) {
  const { t, i18n } = useTranslation('devices');
  const locale = asLocale(i18n.language);
  const { timeZone } = useSettings(useTerminal());
  return (
    <figure className="device-code" data-testid="device-code">
      <QrCode className="device-code-qr" text={made.enrolUrl} label={t('qrLabel')} />
      <figcaption>
        <p className="device-code-value">
          <bdi dir="ltr" data-testid="device-code-value">
            {made.code}
          </bdi>
        </p>
        <p>{t('expires', { when: formatDateTime(made.expiresAt, locale, timeZone) })}</p>
        <p className="muted">
          {t('scanOrOpen')} <bdi dir="ltr">{made.enrolUrl}</bdi>
        </p>
        {made.reachable ? null : (
          <p role="note" className="alert" data-testid="device-code-local">
            {t('localOnly')}
          </p>
        )}
      </figcaption>
    </figure>
  );
}
