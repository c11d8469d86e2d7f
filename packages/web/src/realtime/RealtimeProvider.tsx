import { createContext, useContext, useEffect, useState, type ReactNode } from 'react';
import { useQueryClient } from '@tanstack/react-query';
import { ApiError, SESSION_LOST, request, sessionEvents } from '../lib/api';
import { channelsKey } from '../channels/useChannels';
import { RealtimeSocket, realtimeUrl, type RealtimeStatus } from './socket';
import { applyFrame } from './applyFrame';

const StatusContext = createContext<RealtimeStatus>('connecting');

export const useRealtimeStatus = () => useContext(StatusContext);

/** Opens the tab's one socket while someone is signed in, and feeds its frames into the cache. */
export function RealtimeProvider({ children }: { children: ReactNode }) {
  const qc = useQueryClient();
  const [status, setStatus] = useState<RealtimeStatus>('connecting');

  useEffect(() => {
    const socket = new RealtimeSocket(realtimeUrl(), {
      onFrame: (frame) => applyFrame(qc, frame),
      onStatus: setStatus,
      onResync: () => {
        // Frames sent while we were away are lost: everything loaded may be stale.
        void qc.invalidateQueries({ queryKey: ['messages'] });
        void qc.invalidateQueries({ queryKey: channelsKey });
        void qc.invalidateQueries({ queryKey: ['users'] });
      },
      onSessionEnded: () => sessionEvents.dispatchEvent(new Event(SESSION_LOST)),
      checkSession: async () => {
        try {
          await request('GET', '/auth/session', undefined, { quiet401: true });
          return true;
        } catch (err) {
          return !(err instanceof ApiError && err.status === 401);
        }
      },
    });
    socket.start();
    return () => socket.stop();
  }, [qc]);

  return <StatusContext.Provider value={status}>{children}</StatusContext.Provider>;
}
