import { useTranslation } from 'react-i18next';
import { describeError } from '../../ui/ErrorNotice';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api, seg } from '../../lib/api';
import type { Message } from '../../lib/types';
import { upsertMessage } from '../../messages/cache';
import { addEphemeral } from '../ephemeral';

/** Text that starts with `/`: the server runs it as a command if an app has it (pumble-api.md §5). */
export const isCommandText = (text: string) => /^\/[^\s/]/.test(text);

/**
 * Sends `/command text` as a message: the server runs the command and answers with its echo as an
 * ephemeral message (kept with the channel's ephemeral ones); the app's reply comes over the socket.
 * Text that is no command is posted, and comes back as the message.
 */
export function useRunCommand(channelId: string) {
  const qc = useQueryClient();
  return useMutation({
    // appId: the app picked in the `/` menu, when two have the command (docs/app-platform.md §7.1)
    mutationFn: ({ text, appId }: { text: string; appId?: string | undefined }) =>
      api.post<Message>(`/v1/channels/${seg(channelId)}/messages`, { text, ...(appId !== undefined && { commandAppId: appId }) }),
    onSuccess: (m) => (m.isEphemeral ? addEphemeral(qc, m) : upsertMessage(qc, m)),
  });
}

/** Why a command could not be sent, under the composer. */
export function CommandFailed({ error }: { error: unknown }) {
  const { t } = useTranslation();
  return (
    <p className="composer-command-error" role="alert">
      {t('apps.commands.failed', { reason: describeError(error, t) })}
    </p>
  );
}
