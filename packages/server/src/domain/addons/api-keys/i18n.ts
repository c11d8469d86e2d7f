/**
 * The API addon's message catalogues (docs/api-keys.md §9): one per language, the same keys in
 * each, so a missing translation is a type error rather than a blank reply.
 */

export type Locale = 'en' | 'pt-BR' | 'es';
export const LOCALES: readonly Locale[] = ['en', 'pt-BR', 'es'];

/** §9: `pt`, `pt-PT`, `pt-BR` → pt-BR; `es-*` → es; anything else → en. */
export function toLocale(tag: string | null | undefined): Locale | undefined {
  if (!tag) return undefined;
  const lower = tag.trim().toLowerCase().replace('_', '-');
  if (lower === 'pt' || lower.startsWith('pt-')) return 'pt-BR';
  if (lower === 'es' || lower.startsWith('es-')) return 'es';
  if (lower === 'en' || lower.startsWith('en-')) return 'en';
  return undefined;
}

/** The user's language, else the workspace's, else English. */
export function localeOf(user: { locale: string | null }, workspaceLocale: string | null | undefined): Locale {
  return toLocale(user.locale) ?? toLocale(workspaceLocale) ?? 'en';
}

/** The first of the client's preferred languages (best first) that we speak, else English. */
export function firstSpoken(preferred: readonly string[]): Locale {
  for (const tag of preferred) {
    const found = toLocale(tag);
    if (found) return found;
  }
  return 'en';
}

const en = {
  appName: 'API',
  install: 'Install',
  addKey: 'Add API key',
  nameLabel: 'API key name',
  generate: 'Generate',
  deleteKey: 'Delete API key',
  chooseKey: 'Choose a key',
  confirm: 'Delete',
  cancel: 'Cancel',
  confirmText: 'Delete API key "{name}"? Requests using it will stop working.',
  keyGenerated: 'Your new API key "{name}": `{key}` — copy it now, it will not be shown again. Only you can see this message.',
  keyDeleted: 'API key "{name}" deleted.',
  deleteCancelled: 'API key "{name}" was not deleted.',
  listHeader: 'Your API keys:',
  listEmpty: 'You have no API keys. Use `/api-keys generate <name>` to create one.',
  listLine: '• **{name}** `{hint}` — created {created}, last used {lastUsed}',
  never: 'never',
  noMatch: 'No API key matches "{arg}".',
  ambiguous: 'More than one API key matches "{arg}"; use its hint from `/api-keys list`.',
  unknownCommand: 'Unknown command.',
  swaggerHint: 'Enter your API key in **Authorize**.',
  defaultName: 'API key {n}',
  notInstalled: 'The API addon must be installed first: click **+ Add apps**, then **Install** in the **API** section.',
  notAuthorized: 'Allow the API app first: open **+ Add apps**, choose **API** and allow its permissions ({url}).',
  allowed: 'The API app is allowed. You can close this page and use /api-keys.',
  nameInvalid: 'The API key name must be 1 to 64 characters.',
  // The API page, the addon's home view (§2.2–2.3)
  homeEmpty: 'You have no API keys yet.',
  homeKeyLine: ' — created {created}, last used {lastUsed}',
  homeNotAuthorized: 'Allow the API app before creating API keys: ',
  homeAllowLink: 'allow its permissions',
  homeDocs: 'Call the API with a key in an ApiKey header; every operation is in ',
  docsLink: 'the API documentation',
  keyOption: '{name} ({hint})',
  pickKey: 'Select a key',
  help: [
    '`/api-keys generate [name]` – generates an API key for you and stores it. You can generate as many API keys as you want.',
    '`/api-keys list` – lists all your API keys',
    '`/api-keys delete <key>` – deletes an API key',
    '`/api-keys help` – lists all valid commands you can use',
  ].join('\n'),
  // API errors (§6): `localizedMessage`
  errMustNotBeNull: 'must not be null',
  errInvalidKey: 'Invalid or missing API key',
  errKeyConflict: 'The Api-Key and ApiKey headers differ',
  errOwnerDeactivated: 'The owner of this API key is deactivated',
  errNotAuthorized: 'The API app is no longer authorized by the owner of this API key',
  errBotNotMember: 'The API bot must be a member of this private channel',
  errNotFound: '{what} not found',
  errRateLimited: 'Too many requests; retry after {seconds} seconds',
  errServer: 'Internal server error',
};

export type MessageKey = keyof typeof en;
type Catalogue = Record<MessageKey, string>;

const ptBR: Catalogue = {
  appName: 'API',
  install: 'Instalar',
  addKey: 'Adicionar chave de API',
  nameLabel: 'Nome da chave de API',
  generate: 'Gerar',
  deleteKey: 'Excluir chave de API',
  chooseKey: 'Escolha uma chave',
  confirm: 'Excluir',
  cancel: 'Cancelar',
  confirmText: 'Excluir a chave de API "{name}"? As solicitações que a utilizam deixarão de funcionar.',
  keyGenerated: 'Sua nova chave de API "{name}": `{key}` — copie-a agora, ela não será exibida novamente. Somente você pode ver esta mensagem.',
  keyDeleted: 'Chave de API "{name}" excluída.',
  deleteCancelled: 'A chave de API "{name}" não foi excluída.',
  listHeader: 'Suas chaves de API:',
  listEmpty: 'Você não tem chaves de API. Use `/api-keys generate <nome>` para criar uma.',
  listLine: '• **{name}** `{hint}` — criada em {created}, último uso {lastUsed}',
  never: 'nunca',
  noMatch: 'Nenhuma chave de API corresponde a "{arg}".',
  ambiguous: 'Mais de uma chave de API corresponde a "{arg}"; use a dica mostrada por `/api-keys list`.',
  unknownCommand: 'Comando desconhecido.',
  swaggerHint: 'Insira sua chave de API em **Autorizar**.',
  defaultName: 'Chave de API {n}',
  notInstalled: 'O complemento API precisa ser instalado primeiro: clique em **+ Add apps** e depois em **Instalar** na seção **API**.',
  notAuthorized: 'Permita o app API primeiro: abra **+ Add apps**, escolha **API** e permita as permissões ({url}).',
  allowed: 'O app API está permitido. Você pode fechar esta página e usar /api-keys.',
  nameInvalid: 'O nome da chave de API deve ter de 1 a 64 caracteres.',
  homeEmpty: 'Você ainda não tem chaves de API.',
  homeKeyLine: ' — criada em {created}, último uso {lastUsed}',
  homeNotAuthorized: 'Permita o app API antes de criar chaves de API: ',
  homeAllowLink: 'permitir as permissões',
  homeDocs: 'Chame a API com uma chave no cabeçalho ApiKey; todas as operações estão na ',
  docsLink: 'documentação da API',
  keyOption: '{name} ({hint})',
  pickKey: 'Selecione uma chave',
  help: [
    '`/api-keys generate [nome]` – gera uma chave de API para você e a armazena. Você pode gerar quantas chaves de API desejar.',
    '`/api-keys list` – lista todas as suas chaves de API',
    '`/api-keys delete <chave>` – exclui uma chave de API',
    '`/api-keys help` – lista todos os comandos válidos que você pode usar',
  ].join('\n'),
  errMustNotBeNull: 'não deve ser nulo',
  errInvalidKey: 'Chave de API inválida ou ausente',
  errKeyConflict: 'Os cabeçalhos Api-Key e ApiKey são diferentes',
  errOwnerDeactivated: 'O dono desta chave de API está desativado',
  errNotAuthorized: 'O app API não está mais autorizado pelo dono desta chave de API',
  errBotNotMember: 'O bot da API precisa ser membro deste canal privado',
  errNotFound: '{what} não encontrado',
  errRateLimited: 'Solicitações demais; tente novamente em {seconds} segundos',
  errServer: 'Erro interno do servidor',
};

const es: Catalogue = {
  appName: 'API',
  install: 'Instalar',
  addKey: 'Añadir clave API',
  nameLabel: 'Nombre de la clave API',
  generate: 'Generar',
  deleteKey: 'Eliminar clave API',
  chooseKey: 'Elige una clave',
  confirm: 'Eliminar',
  cancel: 'Cancelar',
  confirmText: '¿Eliminar la clave API "{name}"? Las solicitudes que la usan dejarán de funcionar.',
  keyGenerated: 'Tu nueva clave API "{name}": `{key}`: cópiala ahora, no se volverá a mostrar. Solo tú puedes ver este mensaje.',
  keyDeleted: 'Clave API "{name}" eliminada.',
  deleteCancelled: 'La clave API "{name}" no se eliminó.',
  listHeader: 'Tus claves API:',
  listEmpty: 'No tienes claves API. Usa `/api-keys generate <nombre>` para crear una.',
  listLine: '• **{name}** `{hint}` — creada el {created}, último uso {lastUsed}',
  never: 'nunca',
  noMatch: 'Ninguna clave API coincide con "{arg}".',
  ambiguous: 'Más de una clave API coincide con "{arg}"; usa su pista de `/api-keys list`.',
  unknownCommand: 'Comando desconocido.',
  swaggerHint: 'Introduce tu clave API en **Autorizar**.',
  defaultName: 'Clave API {n}',
  notInstalled: 'Primero hay que instalar el complemento API: haz clic en **+ Add apps** y luego en **Instalar** en la sección **API**.',
  notAuthorized: 'Primero permite la app API: abre **+ Add apps**, elige **API** y permite sus permisos ({url}).',
  allowed: 'La app API está permitida. Puedes cerrar esta página y usar /api-keys.',
  nameInvalid: 'El nombre de la clave API debe tener entre 1 y 64 caracteres.',
  homeEmpty: 'Todavía no tienes claves API.',
  homeKeyLine: ' — creada el {created}, último uso {lastUsed}',
  homeNotAuthorized: 'Permite la app API antes de crear claves API: ',
  homeAllowLink: 'permitir sus permisos',
  homeDocs: 'Llama a la API con una clave en el encabezado ApiKey; todas las operaciones están en ',
  docsLink: 'la documentación de la API',
  keyOption: '{name} ({hint})',
  pickKey: 'Selecciona una clave',
  help: [
    '`/api-keys generate [nombre]` – genera una clave API para ti y la almacena. Puedes generar tantas claves API como quieras.',
    '`/api-keys list` – enumera todas tus claves API',
    '`/api-keys delete <clave>` – elimina una clave API',
    '`/api-keys help` – enumera todos los comandos válidos que puedes utilizar',
  ].join('\n'),
  errMustNotBeNull: 'no debe ser nulo',
  errInvalidKey: 'Clave API no válida o ausente',
  errKeyConflict: 'Los encabezados Api-Key y ApiKey son distintos',
  errOwnerDeactivated: 'El propietario de esta clave API está desactivado',
  errNotAuthorized: 'El propietario de esta clave API ya no autoriza la app API',
  errBotNotMember: 'El bot de la API debe ser miembro de este canal privado',
  errNotFound: '{what} no encontrado',
  errRateLimited: 'Demasiadas solicitudes; reintenta en {seconds} segundos',
  errServer: 'Error interno del servidor',
};

const CATALOGUES: Record<Locale, Catalogue> = { en, 'pt-BR': ptBR, es };

/** The message in the language, with `{placeholders}` filled. */
export function translate(locale: Locale, key: MessageKey, vars: Record<string, string | number> = {}): string {
  return CATALOGUES[locale][key].replace(/\{(\w+)\}/g, (whole, name: string) => (name in vars ? String(vars[name]) : whole));
}

/** Dates in lists: the day in the user's language (UTC, as the key times are stored). */
export function formatDate(locale: Locale, ms: number): string {
  return new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'short', timeZone: 'UTC' }).format(new Date(ms)) + ' UTC';
}
