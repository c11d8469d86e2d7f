import { createContext, useContext } from 'react';

/**
 * Opens a person's profile in the right panel (web-client.md §4). `opener` gets the focus back when
 * the panel closes. A context rather than a hook on the router: every message row reads it, and a
 * stable value spares them a render on each navigation. Undefined outside a channel view (a name
 * is then plain text).
 */
export type OpenProfile = (userId: string, opener?: HTMLElement | null) => void;

export const OpenProfileContext = createContext<OpenProfile | undefined>(undefined);

export const useOpenProfile = (): OpenProfile | undefined => useContext(OpenProfileContext);

/** The search parameter naming the person whose profile is open: `?profile=<userId>` (a deep link). */
export const PROFILE_PARAM = 'profile';
