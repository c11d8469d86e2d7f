import { useEffect, useRef } from 'react';

const THUMB = 36;

/**
 * A small picture of an image about to be sent, drawn from the file itself (cropped to a square):
 * no object URL to revoke, and nothing the page's Content-Security-Policy (img-src without blob:)
 * would refuse. The decoded bitmap is released once drawn.
 */
export default function Thumbnail({ file }: { file: File }) {
  const ref = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    let live = true;
    createImageBitmap(file).then(
      (bitmap) => {
        const canvas = ref.current;
        const ctx = canvas?.getContext('2d');
        if (live && canvas && ctx) {
          const side = Math.min(bitmap.width, bitmap.height);
          ctx.drawImage(bitmap, (bitmap.width - side) / 2, (bitmap.height - side) / 2, side, side, 0, 0, canvas.width, canvas.height);
        }
        bitmap.close();
      },
      () => {}, // not decodable: the empty frame stays
    );
    return () => {
      live = false;
    };
  }, [file]);
  const px = Math.round(THUMB * (window.devicePixelRatio || 1));
  return <canvas ref={ref} className="attach-thumb" width={px} height={px} aria-hidden="true" />;
}
