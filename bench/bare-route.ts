/**
 * The baseline for posting: a trivial Fastify 5 POST route on the same path, which parses the
 * same JSON body and answers a small JSON. Nothing else: no logger, no schema, no database.
 * Run by bench/run.ts as a child process; PORT and HOST come from the environment.
 */
import Fastify from 'fastify';

const app = Fastify({ logger: false });

app.get('/readyz', async () => ({ status: 'ok' }));

let seq = 0;
app.post<{ Params: { channelId: string }; Body: { text?: string } }>('/v1/channels/:channelId/messages', async (request) => ({
  id: ++seq,
  channelId: request.params.channelId,
  length: request.body.text?.length ?? 0,
}));

await app.listen({ port: Number(process.env.PORT), host: process.env.HOST ?? '127.0.0.1' });
for (const signal of ['SIGTERM', 'SIGINT'] as const) process.on(signal, () => void app.close().then(() => process.exit(0)));
