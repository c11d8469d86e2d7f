import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { QueryClientProvider } from '@tanstack/react-query';
import { RouterProvider } from 'react-router';
import './theme/tokens.css';
import './theme/app.css';
import { i18nReady } from './i18n';
import { applyTheme, storedTheme } from './theme/theme';
import { createQueryClient } from './app/queryClient';
import { createRouter } from './app/router';
import { SESSION_LOST, sessionEvents } from './lib/api';
import { sessionKey } from './auth/session';

applyTheme(storedTheme());

const queryClient = createQueryClient();
const router = createRouter();

// A 401 from any call, or the socket closed for a revoked session: back to sign-in, nothing kept.
sessionEvents.addEventListener(SESSION_LOST, () => {
  queryClient.clear();
  queryClient.setQueryData(sessionKey, null);
  if (window.location.pathname !== '/login') void router.navigate('/login', { replace: true });
});

// The browser's language first (i18n/index.ts): no English flash before Portuguese or Spanish.
// (A then, not a top-level await: with one, the bundler splits the first load into dozens of chunks.)
void i18nReady.then(() =>
  createRoot(document.getElementById('root')!).render(
    <StrictMode>
      <QueryClientProvider client={queryClient}>
        <RouterProvider router={router} />
      </QueryClientProvider>
    </StrictMode>,
  ),
);
