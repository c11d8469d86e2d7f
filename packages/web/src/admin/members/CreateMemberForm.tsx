import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api } from '../../lib/api';
import type { WorkspaceUser } from '../../lib/types';
import { peopleKey } from '../../people/usePeople';
import { reasonOf } from '../reason';

type Role = WorkspaceUser['workspaceRole'];

/** 16 characters from an unambiguous alphabet (no 0/O, 1/l/I): about 90 bits, easy to read out. */
function generatePassword(): string {
  const alphabet = 'abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789';
  const bytes = crypto.getRandomValues(new Uint32Array(16));
  return Array.from(bytes, (b) => alphabet[b % alphabet.length]).join('');
}

/**
 * `POST /v1/workspaceUsers {email, name, password, role}`: the person signs in with that e-mail and
 * password. The server sends no e-mail, so the credentials are shown once after creation, to hand over.
 */
export function CreateMemberForm({ ownerMayCreateOwners }: { ownerMayCreateOwners: boolean }) {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const blank = { email: '', name: '', password: '', role: 'MEMBER' as Role };
  const [form, setForm] = useState(blank);
  const [shown, setShown] = useState(false);
  const [handOver, setHandOver] = useState<{ email: string; password: string } | null>(null);
  const create = useMutation({
    mutationFn: (body: typeof form) => api.post<WorkspaceUser>('/v1/workspaceUsers', body),
    onSuccess: (_user, body) => {
      setHandOver({ email: body.email, password: body.password });
      setForm(blank);
      setShown(false);
      void qc.invalidateQueries({ queryKey: peopleKey });
    },
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    setHandOver(null);
    create.mutate(form);
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
        <input
          id="new-member-password"
          type={shown ? 'text' : 'password'}
          required
          minLength={8}
          autoComplete="new-password"
          value={form.password}
          onChange={(e) => setForm({ ...form, password: e.target.value })}
          aria-describedby="new-member-password-hint"
        />
        <small id="new-member-password-hint" className="admin-muted">
          {t('admin.members.passwordHint')}{' '}
          <button
            type="button"
            className="link-button"
            onClick={() => {
              setForm({ ...form, password: generatePassword() });
              setShown(true);
            }}
          >
            {t('admin.members.generate')}
          </button>
        </small>
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
        {handOver && (
          <span className="admin-ok" role="status">
            {t('admin.members.created', { email: handOver.email })} <code className="admin-mono">{handOver.password}</code>
          </span>
        )}
        {create.isError && (
          <p className="form-error" role="alert">
            {t('admin.members.createFailed', { reason: reasonOf(create.error, t) })}
          </p>
        )}
      </div>
    </form>
  );
}
