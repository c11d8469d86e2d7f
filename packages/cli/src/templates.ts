/** The files `switchboard init` writes: a `/hello [name]` app that runs as it is. */

export function manifestTemplate(name: string, displayName: string): Record<string, unknown> {
  return {
    name,
    displayName,
    bot: true,
    botTitle: `${displayName} says hello`,
    socketMode: true,
    scopes: { botScopes: ['messages:write', 'user:read'], userScopes: [] },
    // usageHint is the text that comes after the command, shown beside it as it is typed.
    slashCommands: [{ command: '/hello', description: 'Say hello', usageHint: '[name]' }],
    shortcuts: [],
    eventSubscriptions: { events: [] },
    // Socket mode needs no URLs; the entries say the app takes clicks and modal submits at all.
    blockInteraction: { url: '' },
    viewAction: { url: '' },
    redirectUrls: ['http://localhost:3001/redirect'],
  };
}

export const indexTemplate = `// A Switchboard app: /hello answers "Hello, <your name>!" with a button (/hello Ada: "Hello, Ada!").
// Run it with \`npm run dev\` (\`switchboard dev\`: it registers manifest.json, installs the app and restarts on save).
import { App, actions, button, richText } from '@switchboard/sdk';

const app = new App();

app.command('/hello', async (ctx) => {
  await ctx.ack();
  // /hello greets you, /hello Ada greets Ada: ctx.text is what was typed after the command
  // (the manifest's usageHint, "[name]", says so as the command is typed).
  const me = ctx.text.trim() ? { name: ctx.text.trim() } : await ctx.client.users.get(ctx.userId);
  await ctx.say({
    text: \`Hello, \${me.name}!\`,
    blocks: [richText(\`Hello, \${me.name}!\`), actions(button('Wave back', 'wave', { value: me.name }))],
  });
});

app.action('wave', async (ctx) => {
  await ctx.ack(\`👋 You waved at \${ctx.value}.\`);
});

await app.start();
`;

export function packageTemplate(name: string, sdkSpec: string, cliSpec: string): Record<string, unknown> {
  return {
    name,
    version: '0.1.0',
    private: true,
    type: 'module',
    main: 'index.js',
    // Both through the CLI, a dependency of the app (not a global install): `npm run` finds its
    // `switchboard` in node_modules/.bin, and `start` runs the SDK from its sources when it has no
    // build (a checkout's packages/sdk), where `node index.js` would not find dist/index.js.
    scripts: { dev: 'switchboard dev', start: 'switchboard start' },
    dependencies: { '@switchboard/sdk': sdkSpec, '@switchboard/cli': cliSpec },
  };
}

export const gitignoreTemplate = 'node_modules/\n.switchboard/\n';

export function readmeTemplate(name: string): string {
  return `# ${name}

A Switchboard app made with \`switchboard init\`.

\`\`\`sh
npm run dev      # switchboard dev: registers manifest.json, installs the app, runs index.js in socket mode
npm start        # switchboard start: runs index.js as in production (NODE_ENV=production: HTTP on PORT, default 3001)
\`\`\`

Log in first (\`npx switchboard login --url http://localhost:3000 --email you@example.com --ask-password\`).
Then type \`/hello\` (or \`/hello Ada\`) in any channel. Edit \`index.js\` or \`manifest.json\`: the app restarts.
\`.switchboard/\` holds the app's secrets and tokens (mode 0600): keep it out of version control.
\`npm start\` takes the secrets from the environment instead: SWITCHBOARD_URL, SWITCHBOARD_APP_ID,
SWITCHBOARD_APP_KEY, SWITCHBOARD_CLIENT_SECRET, SWITCHBOARD_SIGNING_SECRET.
`;
}
