import { Avatar } from '../../ui/Avatar';

/**
 * An app's picture: its bot's avatar when the app has a bot here — the same colour, initials (or
 * picture) as on the bot's messages — else its initial on a tinted square (an app not installed).
 */
export function AppIcon({ name, botUserId, size = 24 }: { name: string; botUserId?: string | null | undefined; size?: number }) {
  if (botUserId) return <Avatar id={botUserId} name={name} size={size} />;
  return (
    <span className="app-icon" style={{ width: size, height: size, fontSize: size * 0.5 }} aria-hidden="true">
      {name.slice(0, 1).toUpperCase()}
    </span>
  );
}
