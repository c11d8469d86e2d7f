/**
 * The consent screen's words for each scope (pumble-app-platform.md §13.2), loaded with its lazy
 * chunk rather than the first load (≤ 250 KB gzipped); under the top-level "appScopes" key, a scope's
 * `:` written `_` (i18next reads `:` as a namespace separator).
 */
import i18n from '../../i18n';
import en from './locales/en.json';
import ptBR from './locales/pt-BR.json';
import es from './locales/es.json';

for (const [lang, bundle] of [['en', en], ['pt-BR', ptBR], ['es', es]] as const) i18n.addResourceBundle(lang, 'translation', bundle, true, true);

/** A scope in words; an unknown one (a newer server's) as itself. */
export const scopeKey = (scope: string) => `appScopes.${scope.replace(':', '_')}`;
