/**
 * The workspace page's own strings (message retention, web-client.md §7), merged deep into the
 * "admin.workspace" keys of admin/locales/ with this page's chunk.
 */
import i18n from '../../i18n';
import en from './locales/en.json';
import ptBR from './locales/pt-BR.json';
import es from './locales/es.json';

for (const [lang, bundle] of [['en', en], ['pt-BR', ptBR], ['es', es]] as const) i18n.addResourceBundle(lang, 'translation', bundle, true, true);
