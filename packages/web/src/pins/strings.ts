/**
 * This feature's strings, loaded with its lazy chunks (the pins list, the Saved view) rather than the
 * first load, which must stay ≤ 250 KB gzipped. They sit under the top-level "pins" key, merged into
 * i18next's resources for all three languages; the few the first load needs (the hover actions, the
 * pinned marker, the header button, the sidebar entry) are in i18n/locales/.
 */
import i18n from '../i18n';
import en from './locales/en.json';
import ptBR from './locales/pt-BR.json';
import es from './locales/es.json';

for (const [lang, bundle] of [['en', en], ['pt-BR', ptBR], ['es', es]] as const) i18n.addResourceBundle(lang, 'translation', bundle, true, true);
