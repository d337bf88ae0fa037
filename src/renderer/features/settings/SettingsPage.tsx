import { useTranslation } from 'react-i18next';
import type { Program, SegmentRules } from '../../../sync/model/settings.ts';
import { useSubject, useTerminal } from '../../db/hooks.ts';
import { uiLocale } from '../analytics/format.ts';
import { ProgramSettings, SegmentSettings, type SaveResult } from './ProgramSettings.tsx';
import { RewardsCatalog } from './RewardsCatalog.tsx';
import './settings.css';

/**
 * Program and rewards settings (managers and owners). Writes go to the merchant's settings document and to
 * db.rewards, stamped with the signed-in manager and business time; replication carries them to every
 * terminal, and the server checks the role. Invalid input writes nothing.
 */
export function SettingsPage() {
  const { t, i18n } = useTranslation('settings');
  const locale = uiLocale(i18n.language);
  const terminal = useTerminal();
  const staff = useSubject(terminal.staff$);
  const settings = useSubject(terminal.settings$);
  const isManager = staff?.role === 'manager' || staff?.role === 'owner';

  const saveSettings = async (patch: { program: Program } | { segments: SegmentRules }): Promise<SaveResult> => {
    if (!staff || !isManager) return { ok: false, code: 'FORBIDDEN' };
    try {
      const doc = await terminal.db.settings.findOne(terminal.credential.merchantId).exec();
      // Never create the settings document here: before the first pull brings it, a new one would be merged
      // field by field against the server's and could overwrite the business's real settings with defaults.
      if (!doc) return { ok: false, code: 'NOT_SYNCED' };
      await doc.incrementalPatch({ ...patch, updatedAt: new Date().toISOString(), updatedBy: staff.id });
      return { ok: true };
    } catch {
      return { ok: false, code: 'WRITE_FAILED' };
    }
  };

  return (
    <section className="settings" data-testid="settings-page" aria-labelledby="settings-title">
      <h1 id="settings-title">{t('title')}</h1>
      {!isManager || !staff ? (
        <p role="alert">{t('managersOnly')}</p>
      ) : (
        <>
          <p className="hint">{t('intro')}</p>
          <ProgramSettings program={settings.program} currency={settings.currency} onSave={(program) => saveSettings({ program })} />
          <SegmentSettings rules={settings.segments} currency={settings.currency} onSave={(segments) => saveSettings({ segments })} />
          <RewardsCatalog terminal={terminal} staffId={staff.id} currency={settings.currency} locale={locale} />
        </>
      )}
    </section>
  );
}
