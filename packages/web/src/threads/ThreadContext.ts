import { createContext, useContext } from 'react';

/** Set inside the thread panel: its messages offer no "Reply in thread" of their own. */
export const InThreadContext = createContext(false);
export const useInThread = () => useContext(InThreadContext);

/** The deep link of a thread. */
export const threadPath = (channelId: string, rootId: string) => `/c/${encodeURIComponent(channelId)}/t/${encodeURIComponent(rootId)}`;
