import i18next, { type i18n } from 'i18next';
import { initReactI18next } from 'react-i18next';
import type { Locale } from '../../sync/model/settings.ts';

// Every namespace of every locale, bundled (the app must work offline from its first load). Each feature
// owns one namespace file per locale; test/renderer/i18n.test.ts fails when a key is missing in either.
const bundles = import.meta.glob<{ default: Record<string, unknown> }>('./locales/*/*.json', { eager: true });

/** The resources keyed by locale, then namespace. */
export function resources(): Record<string, Record<string, Record<string, unknown>>> {
  const out: Record<string, Record<string, Record<string, unknown>>> = {};
  for (const [path, module] of Object.entries(bundles)) {
    const match = /\.\/locales\/(\w+)\/([\w-]+)\.json$/.exec(path);
    if (!match) continue;
    const [, locale, namespace] = match as unknown as [string, string, string];
    (out[locale] ??= {})[namespace] = module.default;
  }
  return out;
}

const STORAGE_KEY = 'patron.locale';

/** The locale the user chose last on this device, else the browser's if supported, else English. */
export function initialLocale(storage: Pick<Storage, 'getItem'> | undefined, languages: readonly string[]): Locale {
  const saved = storage?.getItem(STORAGE_KEY);
  if (saved === 'en' || saved === 'fa') return saved;
  return languages.some((l) => l.toLowerCase().startsWith('fa')) ? 'fa' : 'en';
}

/** Text direction of a locale. */
export function directionOf(locale: Locale): 'rtl' | 'ltr' {
  return locale === 'fa' ? 'rtl' : 'ltr';
}

/** Sets `lang` and `dir` on the document so layout (logical CSS properties) follows the language. */
export function applyDocumentLocale(doc: Document, locale: Locale): void {
  doc.documentElement.lang = locale;
  doc.documentElement.dir = directionOf(locale);
}

/** Initialises i18next for the app and keeps the document's lang/dir and the stored choice in step. */
export async function setupI18n(locale: Locale, storage?: Pick<Storage, 'setItem'>, doc?: Document): Promise<i18n> {
  const all = resources();
  await i18next.use(initReactI18next).init({
    resources: all,
    lng: locale,
    fallbackLng: false,
    ns: Object.keys(all.en ?? {}),
    defaultNS: 'common',
    interpolation: { escapeValue: false },
    returnNull: false,
  });
  i18next.on('languageChanged', (lng) => {
    const next: Locale = lng === 'fa' ? 'fa' : 'en';
    storage?.setItem(STORAGE_KEY, next);
    if (doc) applyDocumentLocale(doc, next);
  });
  if (doc) applyDocumentLocale(doc, locale);
  return i18next;
}
