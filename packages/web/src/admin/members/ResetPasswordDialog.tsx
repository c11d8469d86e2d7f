import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useMutation } from '@tanstack/react-query';
import { api, seg } from '../../lib/api';
import type { WorkspaceUser } from '../../lib/types';
import { reasonOf } from '../reason';
import { copyText } from '../../lib/clipboard';

/**
 * "Reset password" for someone else (`POST /v1/workspaceUsers/{id}/password/reset`): asks first,
 * since the person is signed out everywhere, then shows the generated password once, to hand over.
 */
export function ResetPasswordDialog({ person, onClose }: { person: WorkspaceUser; onClose(): void }) {
  const { t } = useTranslation();
  const ref = useRef<HTMLDialogElement>(null);
  const [copied, setCopied] = useState(false);
  const reset = useMutation({ mutationFn: () => api.post<{ password: string }>(`/v1/workspaceUsers/${seg(person.id)}/password/reset`) });
  useEffect(() => {
    const d = ref.current;
    if (d && !d.open) d.showModal();
  }, []);
  const copy = async (text: string) => {
    try {
      await copyText(text);
      setCopied(true);
    } catch {
      setCopied(false);
    }
  };
  const password = reset.data?.password;
  return (
    <dialog ref={ref} className="dialog" aria-labelledby="reset-title" onCancel={(e) => (e.preventDefault(), onClose())}>
      <h2 id="reset-title" className="dialog-title">
        {t('admin.members.resetTitle', { name: person.name })}
      </h2>
      <div className="dialog-body">
        {password === undefined ? (
          <p>{t('admin.members.resetBody', { name: person.name })}</p>
        ) : (
          <>
            <label htmlFor="reset-password" className="admin-field-label">
              {t('admin.members.newPassword', { name: person.name })}
            </label>
            <div className="admin-toolbar">
              <input id="reset-password" className="admin-input admin-mono" readOnly value={password} onFocus={(e) => e.currentTarget.select()} />
              <button type="button" className="button button-secondary" onClick={() => void copy(password)}>
                {t('admin.copy')}
              </button>
            </div>
            <p className="admin-muted" role="status">
              {copied ? t('admin.copied') : t('admin.members.resetOnce')}
            </p>
          </>
        )}
        {reset.isError && (
          <p className="form-error" role="alert">
            {t('admin.members.resetFailed', { name: person.name, reason: reasonOf(reset.error, t) })}
          </p>
        )}
      </div>
      <div className="dialog-actions">
        {password === undefined ? (
          <>
            <button type="button" className="button button-secondary" onClick={onClose}>
              {t('common.cancel')}
            </button>
            <button type="button" className="button button-danger" disabled={reset.isPending} onClick={() => reset.mutate()} autoFocus>
              {t('admin.members.reset')}
            </button>
          </>
        ) : (
          <button type="button" className="button button-primary" onClick={onClose} autoFocus>
            {t('admin.done')}
          </button>
        )}
      </div>
    </dialog>
  );
}
