/**
 * i18next with the three languages of the UI. The language is the person's saved locale (once the
 * app knows who is signed in), else the browser's, else English.
 *
 * English is in the first load; Portuguese and Spanish are chunks of their own, loaded when chosen
 * (the first load has a 250 KB budget, docs/web-client.md §2, and carried all three). main.tsx
 * renders once `i18nReady` has the browser's language in.
 */
import i18n from 'i18next';
import { initReactI18next } from 'react-i18next';
import en from './locales/en.json';

export const LANGUAGES = [
  { code: 'en', label: 'English' },
  { code: 'pt-BR', label: 'Português (Brasil)' },
  { code: 'es', label: 'Español' },
] as const;
export type Language = (typeof LANGUAGES)[number]['code'];

/** The supported language closest to a locale tag ("pt" → pt-BR, "es-MX" → es), or undefined. */
export function supportedLanguage(tag: string | null | undefined): Language | undefined {
  if (!tag) return undefined;
  const lower = tag.toLowerCase();
  if (lower.startsWith('pt')) return 'pt-BR';
  if (lower.startsWith('es')) return 'es';
  if (lower.startsWith('en')) return 'en';
  return undefined;
}

export function browserLanguage(): Language {
  for (const tag of navigator.languages ?? [navigator.language]) {
    const lang = supportedLanguage(tag);
    if (lang) return lang;
  }
  return 'en';
}

const bundles: Record<Exclude<Language, 'en'>, () => Promise<{ default: Record<string, unknown> }>> = {
  'pt-BR': () => import('./locales/pt-BR.json'),
  es: () => import('./locales/es.json'),
};
const loaded = new Map<Language, Promise<void>>([['en', Promise.resolve()]]);

/** The language's strings, fetched once; the lazy features' own strings (added already) stay. */
function loadLanguage(lang: Language): Promise<void> {
  let done = loaded.get(lang);
  if (!done) {
    done = bundles[lang as Exclude<Language, 'en'>]().then((m) => void i18n.addResourceBundle(lang, 'translation', m.default, true, false));
    // A failed fetch (the network) is tried again next time; meanwhile English shows.
    done.catch(() => loaded.delete(lang));
    loaded.set(lang, done);
  }
  return done;
}

export function setLanguage(lang: Language): void {
  document.documentElement.lang = lang;
  void loadLanguage(lang)
    .catch(() => undefined)
    .then(() => (i18n.language !== lang ? i18n.changeLanguage(lang) : undefined));
}

const initial = browserLanguage();
void i18n.use(initReactI18next).init({
  resources: { en: { translation: en } },
  lng: initial,
  fallbackLng: 'en',
  supportedLngs: ['en', 'pt-BR', 'es'],
  interpolation: { escapeValue: false }, // React escapes
});
document.documentElement.lang = i18n.language;

/** The browser's language is in (or failed to load: English shows): main.tsx renders after it. */
export const i18nReady: Promise<void> = loadLanguage(initial).catch(() => undefined);

export default i18n;
