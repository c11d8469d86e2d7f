import { createBrowserRouter, Navigate } from 'react-router';
import { LoginPage } from '../auth/LoginPage';
import { RequireSession } from '../auth/RequireSession';
import { RealtimeProvider } from '../realtime/RealtimeProvider';
import { Shell } from './Shell';
import { OpenFirstChannel } from '../channels/OpenFirstChannel';
import { ChannelView } from '../channels/ChannelView';

export function createRouter() {
  return createBrowserRouter([
    { path: '/login', element: <LoginPage /> },
    {
      path: '/',
      element: (
        <RequireSession>
          <RealtimeProvider>
            <Shell />
          </RealtimeProvider>
        </RequireSession>
      ),
      children: [
        { index: true, element: <OpenFirstChannel /> },
        { path: 'c/:channelId', element: <ChannelView /> },
      ],
    },
    { path: '*', element: <Navigate to="/" replace /> },
  ]);
}
