import { useRef } from 'react';
import { useTranslation } from 'react-i18next';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { ApiError, SESSION_LOST, api, sessionEvents } from '../lib/api';
import type { WorkspaceUser } from '../lib/types';
import { peopleKey } from '../people/usePeople';
import { describeError } from '../ui/ErrorNotice';
import { Avatar } from '../ui/Avatar';

/** The server's limit (domain/avatars.ts AVATAR_MAX_BYTES), checked here first to spare the upload. */
const MAX_BYTES = 10 * 1024 * 1024;
const ACCEPT = 'image/png,image/jpeg,image/gif,image/webp';

/** `PUT /v1/workspaceUsers/me/avatar`, multipart field `file`; same origin, so the session cookie goes with it. */
async function putAvatar(file: File): Promise<WorkspaceUser> {
  const body = new FormData();
  body.append('file', file, file.name);
  let res: Response;
  try {
    res = await fetch('/v1/workspaceUsers/me/avatar', { method: 'PUT', body, credentials: 'same-origin', headers: { accept: 'application/json' } });
  } catch (err) {
    throw new ApiError(0, 'network', err instanceof Error ? err.message : String(err));
  }
  const data = (await res.json().catch(() => undefined)) as (WorkspaceUser & { code?: unknown; message?: unknown }) | undefined;
  if (!res.ok) {
    if (res.status === 401) sessionEvents.dispatchEvent(new Event(SESSION_LOST));
    throw new ApiError(res.status, typeof data?.code === 'string' ? data.code : undefined, typeof data?.message === 'string' ? data.message : res.statusText);
  }
  return data as WorkspaceUser;
}

/**
 * The person's picture (web-client.md §6.8): choose an image (the server keeps a small square of
 * it) or remove it to show initials again. Other tabs and people follow through `user.updated`.
 */
export function AvatarForm({ me }: { me: WorkspaceUser }) {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const input = useRef<HTMLInputElement>(null);
  const done = (user: WorkspaceUser) => {
    qc.setQueryData(['users', 'me', user.id], user);
    void qc.invalidateQueries({ queryKey: peopleKey });
  };
  const upload = useMutation({
    mutationFn: (file: File) => {
      if (file.size > MAX_BYTES) return Promise.reject(new ApiError(413, 'too_large', t('profile.avatar.tooLarge', { mb: MAX_BYTES / 1024 / 1024 })));
      return putAvatar(file);
    },
    onSuccess: done,
  });
  const remove = useMutation({ mutationFn: () => api.delete<WorkspaceUser>('/v1/workspaceUsers/me/avatar'), onSuccess: done });
  const has = Boolean(me.avatar?.scaledPath);
  const busy = upload.isPending || remove.isPending;
  const error = upload.error ?? remove.error;
  const reason = (e: unknown) => (e instanceof ApiError && e.status === 413 ? t('profile.avatar.tooLarge', { mb: MAX_BYTES / 1024 / 1024 }) : e instanceof ApiError && e.status === 400 ? t('profile.avatar.notImage') : describeError(e, t));
  return (
    <div className="profile-who profile-avatar">
      <Avatar id={me.id} name={me.name} size={64} {...(has && { src: me.avatar!.scaledPath })} />
      <div className="profile-form">
        <strong>{me.name}</strong>
        <div className="profile-note">{me.email}</div>
        <div className="profile-row">
          <input
            ref={input}
            id="profile-avatar-file"
            type="file"
            accept={ACCEPT}
            className="visually-hidden"
            aria-label={t('profile.avatar.choose')}
            aria-describedby="profile-avatar-note"
            onChange={(e) => {
              const file = e.target.files?.[0];
              e.target.value = '';
              remove.reset();
              if (file) upload.mutate(file);
            }}
          />
          <button type="button" className="button button-secondary" disabled={busy} onClick={() => input.current?.click()}>
            {has ? t('profile.avatar.change') : t('profile.avatar.upload')}
          </button>
          {has && (
            <button
              type="button"
              className="button button-secondary"
              disabled={busy}
              onClick={() => {
                upload.reset();
                remove.mutate();
              }}
            >
              {t('profile.avatar.remove')}
            </button>
          )}
        </div>
        <small id="profile-avatar-note" className="profile-note">
          {t('profile.avatar.note')}
        </small>
        {busy && (
          <span className="profile-note" role="status">
            {t('profile.avatar.saving')}
          </span>
        )}
        {error && (
          <p className="form-error" role="alert">
            {t('profile.avatar.notSaved', { reason: reason(error) })}
          </p>
        )}
      </div>
    </div>
  );
}
