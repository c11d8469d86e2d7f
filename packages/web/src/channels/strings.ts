/**
 * The channel settings dialogs' strings (edit, archive, unarchive), loaded with their lazy chunks
 * rather than the first load, which must stay ≤ 250 KB gzipped; under the top-level
 * "channelSettings" key, merged into i18next's resources for all three languages. The menu's own
 * items ("Edit channel", "Archive channel"…) are in i18n/locales/.
 */
import i18n from '../i18n';
import en from './locales/en.json';
import ptBR from './locales/pt-BR.json';
import es from './locales/es.json';

for (const [lang, bundle] of [['en', en], ['pt-BR', ptBR], ['es', es]] as const) i18n.addResourceBundle(lang, 'translation', bundle, true, true);
