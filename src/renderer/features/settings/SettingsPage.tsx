import { useTranslation } from 'react-i18next';
import type { CommandResult } from '../../../sync/client/commands/index.ts';
import { useTerminal } from '../../app/terminal-context.ts';
import { asLocale } from '../../lib/format.ts';
import { useSettings, useStaff } from '../../lib/hooks.ts';
import { useCommand } from '../../lib/useCommand.ts';
import { moneyUnit } from '../../../sync/model/money.ts';
import { StampCardSettings } from './StampCardSettings.tsx';
import { CurrencyDisplaySettings, ProgramSettings, SegmentSettings, type SaveResult } from './ProgramSettings.tsx';
import { RewardsCatalog } from './RewardsCatalog.tsx';
import { TagCatalogue } from './TagCatalogue.tsx';
import './settings.css';

/** A command's result as a form's save outcome. */
export function saveOutcome(result: CommandResult<unknown>): SaveResult {
  return result.ok ? { ok: true } : { ok: false, key: result.error.key };
}

/**
 * Program, rewards and tag settings (managers and owners): the terminal's saveCurrencyDisplay, saveProgram,
 * saveSegments, saveReward, removeReward and saveTagCatalogue commands, stamped with the signed-in manager; replication carries them to every terminal, and
 * the server checks the role again. Invalid input writes nothing.
 */
export function SettingsPage() {
  const { t, i18n } = useTranslation('settings');
  const locale = asLocale(i18n.language);
  const terminal = useTerminal();
  const staff = useStaff(terminal);
  const settings = useSettings(terminal);
  const saveProgram = useCommand('saveProgram');
  const saveSegments = useCommand('saveSegments');
  const saveCurrencyDisplay = useCommand('saveCurrencyDisplay');
  const unit = moneyUnit(settings);
  const isManager = staff?.role === 'manager' || staff?.role === 'owner';

  return (
    <section className="settings" data-testid="settings-page" aria-labelledby="settings-title">
      <h1 id="settings-title">{t('title')}</h1>
      {!isManager ? (
        <p role="alert">{t('managersOnly')}</p>
      ) : (
        <>
          <p className="hint">{t('intro')}</p>
          {/* Only the rial has a second unit people think in. */}
          {settings.currency === 'IRR' && (
            <CurrencyDisplaySettings display={settings.currencyDisplay} onSave={async (currencyDisplay) => saveOutcome(await saveCurrencyDisplay.run({ currencyDisplay }))} />
          )}
          {/* Each form saves its own fields over the stored programme, keeping the other form's. */}
          <ProgramSettings program={settings.program} unit={unit} onSave={async (program) => saveOutcome(await saveProgram.run({ program: { ...settings.program, ...program } }))} />
          <StampCardSettings kinds={settings.program} unit={unit} onSave={async (kinds) => saveOutcome(await saveProgram.run({ program: { ...settings.program, ...kinds } }))} />
          <SegmentSettings rules={settings.segments} unit={unit} onSave={async (segments) => saveOutcome(await saveSegments.run({ segments }))} />
          <RewardsCatalog unit={unit} locale={locale} />
          <TagCatalogue catalogue={settings.tagCatalogue} />
        </>
      )}
    </section>
  );
}
