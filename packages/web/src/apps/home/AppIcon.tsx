/** An app's initial on a tinted square: apps have no avatars yet. */
export function AppIcon({ name, size = 24 }: { name: string; size?: number }) {
  return (
    <span className="app-icon" style={{ width: size, height: size, fontSize: size * 0.5 }} aria-hidden="true">
      {name.slice(0, 1).toUpperCase()}
    </span>
  );
}
