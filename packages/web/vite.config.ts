import { defineConfig, type ProxyOptions } from 'vite';
import react from '@vitejs/plugin-react';

/** The dev server (`npm run dev`) proxies every API path to a Switchboard on :3000. */
const target = process.env.SWITCHBOARD_URL ?? 'http://localhost:3000';

/**
 * The server refuses cookie-authenticated writes whose Origin is not its own (CSRF guard). In dev the
 * page's origin is Vite's, so the proxy presents the server's origin for requests that came from the
 * dev page itself — and only those.
 */
const api: ProxyOptions = {
  target,
  changeOrigin: true,
  configure(proxy) {
    const ownPage = (incoming: { headers: Record<string, string | string[] | undefined> }) => {
      const { origin, host } = incoming.headers;
      return typeof origin === 'string' && typeof host === 'string' && URL.canParse(origin) && new URL(origin).host === host;
    };
    proxy.on('proxyReq', (req, incoming) => {
      if (ownPage(incoming)) req.setHeader('origin', new URL(target).origin);
    });
    // the realtime upgrade is checked the same way (no cross-site WebSocket)
    proxy.on('proxyReqWs', (req, incoming) => {
      if (ownPage(incoming)) req.setHeader('origin', new URL(target).origin);
    });
  },
};

export default defineConfig({
  plugins: [react()],
  base: '/',
  // The budget is ≤ 250 KB of gzipped JS on first load (docs/web-client.md §2), measured by the bench;
  // Rollup's default 500 KB (minified, not gzipped) warning says nothing about it.
  build: { outDir: 'dist', sourcemap: false, target: 'es2022', chunkSizeWarningLimit: 1024 },
  server: {
    proxy: {
      // the WebSocket first: `/v1` would otherwise match it without upgrading
      '/v1/realtime': { ...api, ws: true },
      '/v1': api,
      '/auth': api,
      '/api': api,
      '/access-request': api,
    },
  },
});
