import { useCallback, useState } from 'react';

/** A small action's state without a mutation observer: which one runs, and the last failure. */
export function useRunning<K extends string>() {
  const [running, setRunning] = useState<K | null>(null);
  const [error, setError] = useState<unknown>(null);
  const run = useCallback((what: K, work: () => Promise<void>) => {
    setRunning(what);
    setError(null);
    work()
      .catch((e: unknown) => setError(e))
      .finally(() => setRunning(null));
  }, []);
  return { running, error, run };
}
