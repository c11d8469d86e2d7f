import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Type, type Static } from 'typebox';
import type { Core } from '../../../domain/index.js';
import { DomainError } from '../../../domain/errors.js';
import type { User } from '../../../domain/model.js';
import { constantTimeEqual, hashToken } from '../../../domain/secrets.js';
import { withQuery } from '../../../domain/apps/redirects.js';
import { sessionCookie, sessionFromCookie } from '../../http/session-cookie.js';
import { domainStatus } from '../../http/errors.js';


/**
 * The consent request (§5.1), as the app's link carries it and as the page's own forms post it
 * back: every one a single string. A repeated parameter or a JSON value of another type is refused
 * by the schema (400), before any of it reaches the page.
 */
const ConsentFields = {
  clientId: Type.Optional(Type.String()),
  scopes: Type.Optional(Type.String()),
  redirectUrl: Type.Optional(Type.String()),
  state: Type.Optional(Type.String()),
  defaultWorkspaceId: Type.Optional(Type.String()),
  isReinstall: Type.Optional(Type.String()),
};
const PARAMS = Object.keys(ConsentFields) as Array<keyof typeof ConsentFields>;
const ConsentQuery = Type.Object(ConsentFields);
type ConsentQuery = Static<typeof ConsentQuery>;
/** The login form: the request it came from, and the same limits as `POST /auth/login`. */
const LoginForm = Type.Object({
  ...ConsentFields,
  email: Type.Optional(Type.String({ maxLength: 320 })),
  password: Type.Optional(Type.String({ maxLength: 1024 })),
});
const DecisionForm = Type.Object({ ...ConsentFields, csrf: Type.Optional(Type.String()), decision: Type.Optional(Type.String()) });

const escape = (s: string) => s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

/** Ties each form to the session that rendered it: another site cannot forge an Allow. */
const csrfFor = (sessionToken: string) => hashToken(`csrf:${sessionToken}`);

function page(reply: FastifyReply, status: number, title: string, body: string) {
  return reply
    .code(status)
    .header('content-type', 'text/html; charset=utf-8')
    // Never inside a frame (clickjacking an Allow), no scripts at all.
    .header('content-security-policy', "default-src 'none'; style-src 'unsafe-inline'; img-src https: http:; frame-ancestors 'none'")
    .header('x-frame-options', 'DENY')
    .header('cache-control', 'no-store')
    .send(`<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">
<title>${escape(title)}</title><style>
body{font:16px/1.5 system-ui,sans-serif;max-width:32rem;margin:3rem auto;padding:0 1rem;color:#1d1c1d}
h1{font-size:1.4rem}ul{padding-left:1.2rem}code{background:#f4f4f4;padding:0 .2rem}
.box{border:1px solid #ddd;border-radius:8px;padding:1rem 1.25rem;margin:1rem 0}
button{font:inherit;padding:.5rem 1.2rem;border-radius:6px;border:1px solid #888;background:#fff;margin-right:.5rem;cursor:pointer}
button.primary{background:#1264a3;color:#fff;border-color:#1264a3}.error{color:#b00020}
input{font:inherit;padding:.4rem;width:100%;box-sizing:border-box;margin:.2rem 0 .8rem}
</style></head><body>${body}</body></html>`);
}

const hidden = (q: ConsentQuery) =>
  PARAMS.filter((k) => q[k] !== undefined)
    .map((k) => `<input type="hidden" name="${k}" value="${escape(q[k]!)}">`)
    .join('');

/**
 * The consent page of docs/app-platform.md §5.1, server-rendered: log in if needed, see the app,
 * the workspace and every scope it asks for, then Allow (redirect with a code and the state) or
 * Cancel (redirect with error=access_denied). A request that does not fit the app is refused here,
 * never redirected.
 */
export function consentRoutes(app: FastifyInstance, core: Core): void {
  const currentUser = async (request: FastifyRequest): Promise<{ user: User; token: string } | undefined> => {
    const token = sessionFromCookie(request);
    const user = token ? await core.accounts.authenticate(token) : undefined;
    return user && token ? { user, token } : undefined;
  };

  /** The form, alone or after a failed login: 401 for wrong credentials, 429 with Retry-After for a lockout. */
  const loginForm = (reply: FastifyReply, q: ConsentQuery, error?: DomainError) =>
    page(
      reply,
      error ? domainStatus(error, reply) : 200,
      'Log in to continue',
      `<h1>Log in to Switchboard</h1><p>An app asks for access to your workspace. Log in to review it.</p>
${error ? `<p class="error">${escape(error.message)}</p>` : ''}
<form method="post" action="/access-request/login">${hidden(q)}
<label>E-mail<input name="email" type="email" autocomplete="username" required></label>
<label>Password<input name="password" type="password" autocomplete="current-password" required></label>
<button class="primary" type="submit">Log in</button></form>`,
    );

  const refusal = (reply: FastifyReply, err: unknown) => {
    if (!(err instanceof DomainError)) throw err;
    return page(reply, err.kind === 'forbidden' ? 403 : 400, 'This request cannot be granted', `<h1>This request cannot be granted</h1><p class="error">${escape(err.message)}</p>`);
  };

  app.get('/access-request', { schema: { hide: true, querystring: ConsentQuery } }, async (request, reply) => {
    const q = request.query as ConsentQuery;
    const session = await currentUser(request);
    if (!session) return loginForm(reply, q);
    let details;
    try {
      details = await core.installs.consent(session.user, consentRequest(q));
    } catch (err) {
      return refusal(reply, err);
    }
    const list = (scopes: string[]) => (scopes.length ? `<ul>${scopes.map((sc) => `<li><code>${escape(sc)}</code></li>`).join('')}</ul>` : '<p>None.</p>');
    return page(
      reply,
      200,
      `${details.app.displayName} wants access`,
      `<h1>${details.app.avatarUrl ? `<img src="${escape(details.app.avatarUrl)}" alt="" width="32" height="32"> ` : ''}${escape(details.app.displayName)} wants access to ${escape(details.workspace.name)}</h1>
<p>Signed in as ${escape(session.user.name)} (${escape(session.user.email)}).${details.isReinstall ? ' This reinstalls the app: its bot gets a new token.' : ''}</p>
<div class="box"><strong>On your behalf</strong> it may:${list(details.userScopes)}</div>
<div class="box"><strong>As its bot</strong> it may:${list(details.botScopes)}</div>
<p>You will return to <code>${escape(new URL(details.redirectUrl).origin)}</code>.</p>
<form method="post" action="/access-request">${hidden(q)}<input type="hidden" name="csrf" value="${csrfFor(session.token)}">
<button class="primary" name="decision" value="allow" type="submit">Allow</button><button name="decision" value="cancel" type="submit">Cancel</button></form>`,
    );
  });

  app.post('/access-request/login', { schema: { hide: true, body: LoginForm } }, async (request, reply) => {
    const body = request.body as Static<typeof LoginForm>;
    const q = Object.fromEntries(PARAMS.filter((k) => body[k] !== undefined).map((k) => [k, body[k]])) as ConsentQuery;
    try {
      const { token } = await core.accounts.login(body.email ?? '', body.password ?? '', undefined, request.ip);
      // The web client's cookie (docs/web-client.md §3): signing in here signs the browser in.
      reply.header('set-cookie', sessionCookie(token, request.protocol === 'https'));
      return reply.redirect(`/access-request?${new URLSearchParams(q as Record<string, string>)}`, 303);
    } catch (err) {
      // Wrong credentials and the lockout of accounts.login (429 + Retry-After, as /auth/login) alike: the form again, saying why.
      if (err instanceof DomainError) return loginForm(reply, q, err);
      throw err;
    }
  });

  app.post('/access-request', { schema: { hide: true, body: DecisionForm } }, async (request, reply) => {
    const body = request.body as Static<typeof DecisionForm>;
    const session = await currentUser(request);
    if (!session) return loginForm(reply, body);
    if (typeof body.csrf !== 'string' || !constantTimeEqual(body.csrf, csrfFor(session.token))) {
      return page(reply, 403, 'Refused', '<h1>Refused</h1><p class="error">This form did not come from this page. Open the link again.</p>');
    }
    const req = consentRequest(body);
    try {
      if (body.decision === 'allow') {
        const { redirectUrl } = await core.installs.grant(session.user, req);
        return reply.redirect(redirectUrl, 303);
      }
      const details = await core.installs.consent(session.user, req);
      return reply.redirect(withQuery(details.redirectUrl, { error: 'access_denied', state: req.state }), 303);
    } catch (err) {
      return refusal(reply, err);
    }
  });
}

function consentRequest(q: ConsentQuery) {
  return {
    clientId: q.clientId ?? '',
    scopes: q.scopes ?? '',
    redirectUrl: q.redirectUrl,
    state: q.state,
    isReinstall: q.isReinstall === 'true',
  };
}
