/**
 * i18next with the three languages of the UI. The language is the person's saved locale (once the
 * app knows who is signed in), else the browser's, else English.
 */
import i18n from 'i18next';
import { initReactI18next } from 'react-i18next';
import en from './locales/en.json';
import ptBR from './locales/pt-BR.json';
import es from './locales/es.json';

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

export function setLanguage(lang: Language): void {
  if (i18n.language !== lang) void i18n.changeLanguage(lang);
  document.documentElement.lang = lang;
}

void i18n.use(initReactI18next).init({
  resources: { en: { translation: en }, 'pt-BR': { translation: ptBR }, es: { translation: es } },
  lng: browserLanguage(),
  fallbackLng: 'en',
  supportedLngs: ['en', 'pt-BR', 'es'],
  interpolation: { escapeValue: false }, // React escapes
});
document.documentElement.lang = i18n.language;

export default i18n;
