/** This feature's icons (decorative unless labelled by their button). */
import type { SVGProps } from 'react';

type IconProps = SVGProps<SVGSVGElement> & { size?: number; filled?: boolean };

export function PinIcon({ size = 16, filled = false, ...rest }: IconProps) {
  return (
    <svg width={size} height={size} viewBox="0 0 24 24" fill={filled ? 'currentColor' : 'none'} stroke="currentColor" strokeWidth={2} strokeLinecap="round" strokeLinejoin="round" aria-hidden="true" focusable="false" {...rest}>
      <path d="M9 4h6l-1 5 4 4H6l4-4-1-5zM12 13v7" />
    </svg>
  );
}

export function BookmarkIcon({ size = 16, filled = false, ...rest }: IconProps) {
  return (
    <svg width={size} height={size} viewBox="0 0 24 24" fill={filled ? 'currentColor' : 'none'} stroke="currentColor" strokeWidth={2} strokeLinecap="round" strokeLinejoin="round" aria-hidden="true" focusable="false" {...rest}>
      <path d="M6 4h12v17l-6-4-6 4V4z" />
    </svg>
  );
}
