import { createContext, useContext, useEffect, useState, type ReactNode } from 'react';
import { useQueryClient, type Query } from '@tanstack/react-query';
import { ApiError, SESSION_LOST, request, sessionEvents } from '../lib/api';
import { channelsKey } from '../channels/useChannels';
import { RealtimeSocket, realtimeUrl, type Frame, type RealtimeStatus } from './socket';
import { applyFrame } from './applyFrame';

const StatusContext = createContext<RealtimeStatus>('connecting');

export const useRealtimeStatus = () => useContext(StatusContext);

type Send = (frame: Frame) => boolean;
const SendContext = createContext<Send>(() => false);

/** Sends a frame over the tab's socket (typing); false when it is not connected. */
export const useRealtimeSend = () => useContext(SendContext);

/** The queries the socket's frames keep fresh: refetched when frames may have been missed. */
const RESYNCED: ReadonlyArray<readonly unknown[]> = [['messages'], channelsKey, ['users'], ['unread']];

/** Opens the tab's one socket while someone is signed in, and feeds its frames into the cache. */
export function RealtimeProvider({ children }: { children: ReactNode }) {
  const qc = useQueryClient();
  const [status, setStatus] = useState<RealtimeStatus>('connecting');
  const [send, setSend] = useState<Send>(() => () => false);

  useEffect(() => {
    const socket = new RealtimeSocket(realtimeUrl(), {
      onFrame: (frame) => applyFrame(qc, frame),
      onStatus: setStatus,
      onResync: (listeningSince) => {
        // Frames sent while we were away are lost: everything loaded may be stale. On the first
        // connection, what was loaded before the socket listened (a message posted between the
        // channel's fetch and the socket's hello reached neither).
        const missedFrames = (q: Query) =>
          listeningSince === undefined || q.state.fetchStatus === 'fetching' || (q.state.dataUpdatedAt > 0 && q.state.dataUpdatedAt < listeningSince);
        for (const queryKey of RESYNCED) void qc.invalidateQueries({ queryKey, predicate: missedFrames });
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
    setSend(() => (frame: Frame) => socket.send(frame));
    return () => socket.stop();
  }, [qc]);

  return (
    <StatusContext.Provider value={status}>
      <SendContext.Provider value={send}>{children}</SendContext.Provider>
    </StatusContext.Provider>
  );
}
