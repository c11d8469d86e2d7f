import { hue, initials } from '../lib/format';

/** Initials on a colour of the person's own (pictures come with the profile slice). */
export function Avatar({ id, name, size = 36 }: { id: string; name: string; size?: number }) {
  return (
    <span className="avatar" style={{ width: size, height: size, fontSize: size * 0.4, ['--avatar-hue' as string]: hue(id) }} aria-hidden="true">
      {initials(name)}
    </span>
  );
}
