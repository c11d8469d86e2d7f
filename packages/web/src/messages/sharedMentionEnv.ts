import { createContext } from 'react';
import type { MentionEnv } from '../mentions/markdownMentions';

/**
 * The message list's one mention env, shared by all its rows: a row reading its own
 * (useMentionEnv: people, channels, me and the translations) subscribes four times more on
 * every mount while the list scrolls. Outside a list (the thread panel) each text reads its own.
 */
export const SharedMentionEnv = createContext<MentionEnv | null>(null);
