import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api } from '../../lib/api';
import type { WorkspaceUser } from '../../lib/types';
import { peopleKey } from '../../people/usePeople';
import { describeError } from '../../ui/ErrorNotice';

type Role = 'OWNER' | 'ADMIN' | 'MEMBER' | 'GUEST';

/** `POST /v1/workspaceUsers {email, name, password, role}`: the person signs in with that password. */
export function CreateMemberForm({ ownerMayCreateOwners }: { ownerMayCreateOwners: boolean }) {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const [form, setForm] = useState({ email: '', name: '', password: '', role: 'MEMBER' as Role });
  const create = useMutation({
    mutationFn: () => api.post<WorkspaceUser>('/v1/workspaceUsers', form),
    onSuccess: () => {
      setForm({ email: '', name: '', password: '', role: 'MEMBER' });
      void qc.invalidateQueries({ queryKey: peopleKey });
    },
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    create.mutate();
  };
  const roles: Role[] = ownerMayCreateOwners ? ['MEMBER', 'ADMIN', 'GUEST', 'OWNER'] : ['MEMBER', 'ADMIN', 'GUEST'];
  return (
    <form className="admin-form admin-form-grid" onSubmit={submit}>
      <div className="field">
        <label htmlFor="new-member-name">{t('admin.members.name')}</label>
        <input id="new-member-name" required maxLength={120} value={form.name} onChange={(e) => setForm({ ...form, name: e.target.value })} />
      </div>
      <div className="field">
        <label htmlFor="new-member-email">{t('admin.members.email')}</label>
        <input id="new-member-email" type="email" required value={form.email} onChange={(e) => setForm({ ...form, email: e.target.value })} />
      </div>
      <div className="field">
        <label htmlFor="new-member-password">{t('admin.members.password')}</label>
        <input id="new-member-password" type="password" required minLength={8} autoComplete="new-password" value={form.password} onChange={(e) => setForm({ ...form, password: e.target.value })} />
      </div>
      <div className="field">
        <label htmlFor="new-member-role">{t('admin.members.role')}</label>
        <select id="new-member-role" className="select" value={form.role} onChange={(e) => setForm({ ...form, role: e.target.value as Role })}>
          {roles.map((r) => (
            <option key={r} value={r}>
              {t(`admin.roles.${r}`)}
            </option>
          ))}
        </select>
      </div>
      <div className="admin-form-actions">
        <button type="submit" className="button button-primary" disabled={create.isPending}>
          {t('admin.members.create')}
        </button>
        {create.isSuccess && (
          <span className="admin-ok" role="status">
            {t('admin.members.created')}
          </span>
        )}
        {create.isError && (
          <p className="form-error" role="alert">
            {describeError(create.error, t)}
          </p>
        )}
      </div>
    </form>
  );
}
