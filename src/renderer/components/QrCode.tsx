import { useMemo } from 'react';
import QRCode from 'qrcode';

/** The QR code's squares as one SVG path (no markup from outside: the library gives the matrix, React draws it). */
function qrPath(text: string): { size: number; path: string } {
  const { modules } = QRCode.create(text, { errorCorrectionLevel: 'M' });
  let path = '';
  for (let row = 0; row < modules.size; row++) {
    for (let col = 0; col < modules.size; col++) if (modules.get(row, col)) path += `M${col} ${row}h1v1h-1z`;
  }
  return { size: modules.size, path };
}

/** Quiet zone around the code, in modules: scanners need it to find the code's edges. */
const QUIET = 4;

/** `text` as a QR code a phone or a tablet camera reads (black on white, whatever the theme). */
export function QrCode({ text, label, className }: { text: string; label: string; className?: string }) {
  const qr = useMemo(() => qrPath(text), [text]);
  const side = qr.size + 2 * QUIET;
  return (
    <svg className={className} viewBox={`${-QUIET} ${-QUIET} ${side} ${side}`} role="img" aria-label={label} shapeRendering="crispEdges" data-qr-text={text}>
      <rect x={-QUIET} y={-QUIET} width={side} height={side} fill="#fff" />
      <path d={qr.path} fill="#000" />
    </svg>
  );
}
