/**
 * This feature's strings, under the top-level "previews" key, merged into i18next's resources for all
 * three languages. A card can be on screen at first paint (history has them), so they come with it:
 * a few short lines, kept here rather than in the shared locale files.
 */
import i18n from '../i18n';
import en from './locales/en.json';
import ptBR from './locales/pt-BR.json';
import es from './locales/es.json';

for (const [lang, bundle] of [['en', en], ['pt-BR', ptBR], ['es', es]] as const) i18n.addResourceBundle(lang, 'translation', bundle, true, true);
