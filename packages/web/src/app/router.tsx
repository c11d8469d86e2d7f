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
        { path: 'c/:channelId/t/:rootId', element: <ChannelView /> },
        { path: 'c/:channelId/m/:messageId', element: <ChannelView /> },
        { path: 'search', lazy: async () => ({ Component: (await import('../search/SearchPage')).SearchPage }) },
        { path: 'saved', lazy: async () => ({ Component: (await import('../pins/SavedPage')).SavedPage }) },
        // app pages and the directory load on first visit
        { path: 'add-apps', lazy: async () => ({ Component: (await import('../apps/directory/AppDirectory')).AppDirectory }) },
        { path: 'app/:appId', lazy: async () => ({ Component: (await import('../apps/home/AppPage')).AppPage }) },
        { path: 'admin/:section?', lazy: async () => ({ Component: (await import('../admin/AdminPage')).AdminPage }) },
      ],
    },
    { path: '*', element: <Navigate to="/" replace /> },
  ]);
}
