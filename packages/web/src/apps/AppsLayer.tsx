import { useEffect, useRef } from 'react';
import { useQueryClient } from '@tanstack/react-query';
import { useRealtimeStatus } from '../realtime/RealtimeProvider';
import { ModalStack } from './modals/ModalStack';
import { homeKey, useOpenViews, viewsKey } from './queries';

/**
 * What apps put over every screen: the modal stack. After a reconnect the frames sent meanwhile are
 * lost, so the open modals, loading states and home views are read again (`GET /v1/views`).
 */
export function AppsLayer() {
  const qc = useQueryClient();
  const status = useRealtimeStatus();
  const state = useRef<'never' | 'online' | 'lost'>('never');
  useOpenViews();
  useEffect(() => {
    if (status === 'online') {
      if (state.current === 'lost') {
        void qc.invalidateQueries({ queryKey: viewsKey });
        void qc.invalidateQueries({ queryKey: homeKey('').slice(0, 2) });
      }
      state.current = 'online';
    } else if (state.current === 'online') state.current = 'lost';
  }, [status, qc]);
  return <ModalStack />;
}
