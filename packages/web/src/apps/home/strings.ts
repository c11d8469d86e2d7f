/**
 * The app page's own strings (the Messages tab's count, the toast of a message arriving while Home
 * shows), loaded with its lazy chunk rather than the first load (≤ 250 KB gzipped); under the
 * top-level "appPage" key, merged into i18next's resources for all three languages.
 */
import i18n from '../../i18n';
import en from './locales/en.json';
import ptBR from './locales/pt-BR.json';
import es from './locales/es.json';

for (const [lang, bundle] of [['en', en], ['pt-BR', ptBR], ['es', es]] as const) i18n.addResourceBundle(lang, 'translation', bundle, true, true);
