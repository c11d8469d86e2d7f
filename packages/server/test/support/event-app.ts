/**
 * An app subscribed to events, created and granted the way a developer does it (developer token,
 * manifest, grant): for tests about what happens to its deliveries around shutdowns and crashes.
 */
import { http, type Client } from './helpers.js';
import type { ReceivingApp } from './app-receiver.js';

export async function subscribeApp(serverUrl: string, owner: Client, receiver: ReceivingApp, events: string[] = ['NEW_MESSAGE']): Promise<{ appId: string }> {
  const devToken = (await owner.post('/auth/developer-token')).body.token as string;
  const manifest = {
    name: `events_${Date.now().toString(36)}`,
    displayName: 'Event app',
    bot: true,
    scopes: { botScopes: ['messages:read'], userScopes: ['messages:read'] },
    shortcuts: [],
    slashCommands: [],
    eventSubscriptions: { url: `${receiver.url}/events`, events },
    redirectUrls: [`${receiver.url}/redirect`],
  };
  const base = `/workspaces/${owner.workspaceId}/workspaceUsers/${owner.userId}`;
  const created = await http(serverUrl, 'POST', `${base}/apps`, { body: manifest, headers: { authtoken: devToken } });
  if (created.status !== 200) throw new Error(`app create failed: ${created.status} ${created.text}`);
  receiver.signingSecret = created.body.signingSecret;
  const query = new URLSearchParams({ clientId: created.body.id, scopes: 'messages:read,bot:messages:read' });
  const grant = await http(serverUrl, 'GET', `${base}/oauth2/grant?${query}`, { headers: { authtoken: devToken } });
  if (grant.status !== 200) throw new Error(`grant failed: ${grant.status} ${grant.text}`);
  // The code exchange, as the SDK makes it (multipart): the app now holds its tokens.
  const form = new FormData();
  form.set('client-id', created.body.id);
  form.set('client-secret', created.body.clientSecret);
  form.set('code', grant.body.code);
  const access = await fetch(`${serverUrl}/oauth2/access`, { method: 'POST', body: form });
  if (access.status !== 200) throw new Error(`code exchange failed: ${access.status} ${await access.text()}`);
  return { appId: created.body.id };
}
