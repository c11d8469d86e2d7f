// /hello answers "Hello, <name>!" with a button; the button waves back (an ephemeral ack).
// Run: switchboard login --url http://localhost:3000 --email you@example.com, then switchboard dev here.
import { App, actions, button, richText } from '@switchboard/sdk';

const app = new App();

app.command('/hello', async (ctx) => {
  await ctx.ack();
  const me = await ctx.client.users.get(ctx.userId);
  await ctx.say({
    text: `Hello, ${me.name}!`,
    blocks: [richText(`Hello, ${me.name}!`), actions(button('Wave back', 'wave', { value: me.name }))],
  });
});

app.action('wave', async (ctx) => {
  await ctx.ack(`👋 You waved at ${ctx.value}.`);
});

await app.start();
