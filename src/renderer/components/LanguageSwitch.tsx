import { useTranslation } from 'react-i18next';

/** Switches between English and Persian; the choice is remembered on this device (i18n/setup.ts). */
export function LanguageSwitch() {
  const { t, i18n } = useTranslation();
  return (
    <label className="language-switch">
      <span className="visually-hidden">{t('language.label')}</span>
      <select value={i18n.language} onChange={(event) => void i18n.changeLanguage(event.target.value)}>
        <option value="en">{t('language.en')}</option>
        <option value="fa">{t('language.fa')}</option>
      </select>
    </label>
  );
}
