import { useState } from 'react';
import { useQuery } from '@tanstack/react-query';
import { hue, initials } from '../lib/format';
import { api } from '../lib/api';
import type { WorkspaceUser } from '../lib/types';
import { peopleKey } from '../people/usePeople';

/**
 * The person's picture when they have one (web-client.md §6.8), else initials on a colour of their
 * own. The picture's path comes from the people list (the cache every `user.updated` frame
 * refreshes), so every avatar of a person changes when they upload or remove one; `src` overrides
 * it (a picture chosen but not yet saved). An id that is no person's (a channel) shows initials.
 */
/** Inline, not in the stylesheet: the picture fills the avatar's box, whatever its size. */
const PICTURE = { width: '100%', height: '100%', objectFit: 'cover', display: 'block' } as const;

export function Avatar({ id, name, size = 36, src }: { id: string; name: string; size?: number; src?: string }) {
  const known = useQuery({
    queryKey: peopleKey,
    queryFn: () => api.get<WorkspaceUser[]>('/v1/workspaceUsers'),
    select: (list: WorkspaceUser[]) => list.find((u) => u.id === id)?.avatar?.scaledPath || undefined,
    enabled: src === undefined,
  }).data;
  const picture = src ?? known;
  // A picture that fails to load (removed meanwhile) falls back to the initials until the path changes.
  const [failed, setFailed] = useState<string | undefined>(undefined);
  const style = { width: size, height: size, fontSize: size * 0.4, ['--avatar-hue' as string]: hue(id) };
  if (picture && failed !== picture) {
    return (
      <span className="avatar avatar-picture" style={{ ...style, overflow: 'hidden' }} aria-hidden="true">
        <img src={picture} alt="" width={size} height={size} loading="lazy" decoding="async" style={PICTURE} onError={() => setFailed(picture)} />
      </span>
    );
  }
  return (
    <span className="avatar" style={style} aria-hidden="true">
      {initials(name)}
    </span>
  );
}
