import { QueryClient } from '@tanstack/react-query';
import { ApiError } from '../lib/api';

/** Client errors are answers, not hiccups: only network failures and 5xx are retried. */
function retry(failures: number, error: unknown): boolean {
  if (error instanceof ApiError && error.status >= 400 && error.status < 500) return false;
  return failures < 2;
}

export function createQueryClient(): QueryClient {
  return new QueryClient({
    defaultOptions: {
      // Realtime frames keep the cache fresh; a refetch on focus would only repeat what they said.
      queries: { retry, staleTime: 60_000, refetchOnWindowFocus: false },
      mutations: { retry: false },
    },
  });
}
