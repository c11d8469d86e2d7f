/**
 * The profile panel's strings, loaded with its lazy chunk rather than the first load (which must
 * stay ≤ 250 KB gzipped), merged into i18next's resources under "people" for all three languages.
 */
import i18n from '../i18n';
import en from './locales/en.json';
import ptBR from './locales/pt-BR.json';
import es from './locales/es.json';

for (const [lang, bundle] of [['en', en], ['pt-BR', ptBR], ['es', es]] as const) i18n.addResourceBundle(lang, 'translation', bundle, true, true);
