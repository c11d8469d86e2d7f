/**
 * The server's layers and the arrows between them (docs/architecture.md). `npm test` runs this
 * (`npm run check:layers`): a violation or a cycle fails the build.
 *
 *   domain/    the rules, the model, events, errors, the unit of work, and the ports it needs
 *   store/     implements the storage ports (SQL lives here only)
 *   surfaces/  one folder per protocol; call the domain, never the store
 *   realtime/  WebSocket transport: connections, audiences, heartbeats, backpressure
 *   workers/   background loops: outbox dispatcher, delivery queue, scheduled sender, outgoing executor
 *   outbound/  what leaves the server: SSRF guard, signing, HTTP posting, mail
 *   scripts/   the integration script sandbox
 *   limits/    rate-limit counters (implements the domain's limiter port)
 *   files-storage/ where file bytes live: disk, S3, and the image processor (implement the domain's file ports)
 *   *.ts at src/ root: the composition root (config, server, main, admin), which may wire anything
 */
const SRC = '^packages/server/src/';
const LAYER = (name) => `${SRC}${name}/`;
const ROOT_FILES = `${SRC}[^/]+\\.ts$`;
const ADAPTERS = ['store', 'surfaces', 'realtime', 'workers', 'outbound', 'scripts', 'limits', 'files-storage'];

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    { name: 'no-circular', severity: 'error', comment: 'A cycle makes layers meaningless.', from: {}, to: { circular: true } },
    { name: 'not-to-unresolvable', severity: 'error', from: {}, to: { couldNotResolve: true } },
    {
      name: 'domain-imports-no-other-layer',
      severity: 'error',
      comment: 'The domain decides; it knows no storage, protocol, transport or I/O library.',
      from: { path: LAYER('domain') },
      to: { path: [...ADAPTERS.map(LAYER), ROOT_FILES] },
    },
    {
      name: 'domain-uses-no-io-library',
      severity: 'error',
      from: { path: LAYER('domain') },
      to: { dependencyTypes: ['npm'], path: 'node_modules/(fastify|@fastify|ws|kysely|better-sqlite3|pg|ioredis|undici|nodemailer|quickjs-emscripten|typebox|@aws-sdk|sharp)/' },
    },
    {
      name: 'store-imports-only-domain-model-and-ports',
      severity: 'error',
      from: { path: LAYER('store') },
      to: { path: [...ADAPTERS.filter((l) => l !== 'store').map(LAYER), ROOT_FILES] },
    },
    {
      name: 'surfaces-call-the-domain-not-the-store',
      severity: 'error',
      from: { path: LAYER('surfaces') },
      to: { path: [LAYER('store'), LAYER('workers'), ROOT_FILES] },
    },
    {
      name: 'surfaces-do-not-import-each-other',
      severity: 'error',
      comment: 'Each protocol renders its own shapes; what two surfaces share lives in surfaces/http/ (or, as a rule, in the domain).',
      from: { path: `${SRC}surfaces/([^/]+)/` },
      to: { path: `${SRC}surfaces/`, pathNot: [`${SRC}surfaces/$1/`, `${SRC}surfaces/http/`] },
    },
    {
      name: 'realtime-is-transport-only',
      severity: 'error',
      from: { path: LAYER('realtime') },
      to: { path: [LAYER('store'), LAYER('surfaces'), LAYER('workers'), LAYER('outbound'), ROOT_FILES] },
    },
    {
      name: 'outbound-is-a-leaf-adapter',
      severity: 'error',
      from: { path: LAYER('outbound') },
      to: { path: [LAYER('store'), LAYER('surfaces'), LAYER('workers'), LAYER('realtime'), ROOT_FILES] },
    },
    {
      name: 'scripts-are-a-leaf-adapter',
      severity: 'error',
      from: { path: LAYER('scripts') },
      to: { path: [LAYER('store'), LAYER('surfaces'), LAYER('workers'), LAYER('realtime'), ROOT_FILES] },
    },
    {
      name: 'limits-are-a-leaf-adapter',
      severity: 'error',
      from: { path: LAYER('limits') },
      to: { path: [...ADAPTERS.filter((l) => l !== 'limits').map(LAYER), ROOT_FILES] },
    },
    {
      name: 'files-storage-is-a-leaf-adapter',
      severity: 'error',
      comment: "File bytes (disk, S3) and images: implements the domain's file ports, knows no other layer.",
      from: { path: LAYER('files-storage') },
      to: { path: [...ADAPTERS.filter((l) => l !== 'files-storage').map(LAYER), ROOT_FILES] },
    },
    {
      name: 'workers-use-no-protocol-surface',
      severity: 'error',
      comment: 'Workers move work along; what goes on a wire is rendered by a surface, handed in by the composition root.',
      from: { path: LAYER('workers') },
      to: { path: [LAYER('surfaces'), LAYER('realtime'), ROOT_FILES] },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    includeOnly: '^(packages/server/src|node_modules)',
    tsPreCompilationDeps: true,
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default'], extensions: ['.ts', '.js', '.json'] },
    moduleSystems: ['es6', 'cjs'],
  },
};
