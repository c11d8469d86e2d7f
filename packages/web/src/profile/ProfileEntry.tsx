import { lazy, Suspense } from 'react';
import { useTranslation } from 'react-i18next';
import { setProfileOpen, useProfileOpen } from './profileStore';

const ProfileDialog = lazy(async () => ({ default: (await import('./ProfileDialog')).ProfileDialog }));

/** The person's menu item "Profile and preferences". */
export function ProfileMenuItem({ onChoose }: { onChoose(): void }) {
  const { t } = useTranslation();
  return (
    <button
      type="button"
      className="button button-secondary button-block"
      onClick={() => {
        onChoose();
        setProfileOpen(true);
      }}
    >
      {t('profile.open')}
    </button>
  );
}

/** The dialog, loaded on first opening; lives outside the menu's panel so closing the menu keeps it. */
export function ProfileHost() {
  const open = useProfileOpen();
  if (!open) return null;
  return (
    <Suspense fallback={null}>
      <ProfileDialog onClose={() => setProfileOpen(false)} />
    </Suspense>
  );
}
