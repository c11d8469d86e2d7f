import type { SVGProps } from 'react';

/** Two speech bubbles: a thread. */
export function ThreadIcon({ size = 18, ...rest }: SVGProps<SVGSVGElement> & { size?: number }) {
  return (
    <svg width={size} height={size} viewBox="0 0 24 24" fill="none" stroke="currentColor" strokeWidth={2} strokeLinecap="round" strokeLinejoin="round" aria-hidden="true" focusable="false" {...rest}>
      <path d="M3 4h13v9H8l-5 4V4z" />
      <path d="M19 8h2v12l-4-3h-7v-2" />
    </svg>
  );
}
