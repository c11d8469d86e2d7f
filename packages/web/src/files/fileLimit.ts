import type { QueryClient } from '@tanstack/react-query';
import { request } from '../lib/api';

/**
 * FILE_MAX_BYTES (`GET /v1/files/limits`), so a too-large file is refused before a byte is sent —
 * asked once, when the person first attaches a file. Unknown (null) if the answer fails: then the
 * server's own 413 is the check.
 */
export async function fileLimit(qc: QueryClient): Promise<number | null> {
  return qc
    .fetchQuery({
      queryKey: ['files', 'maxBytes'],
      staleTime: Infinity,
      gcTime: Infinity,
      retry: false,
      queryFn: async () => (await request<{ maxBytes: number }>('GET', '/v1/files/limits')).maxBytes,
    })
    .catch(() => null);
}
