import { useMemo } from 'react';
import { encode } from 'uqr';

/** A QR code drawn as SVG (for the authenticator app's otpauth:// URI). */
export function QrCode({ value, label, size = 184 }: { value: string; label: string; size?: number }) {
  const path = useMemo(() => {
    const { data } = encode(value, { ecc: 'M', border: 2 });
    let d = '';
    data.forEach((row, y) => row.forEach((dark, x) => (d += dark ? `M${x} ${y}h1v1h-1z` : '')));
    return { d, n: data.length };
  }, [value]);
  return (
    <svg className="qr" role="img" aria-label={label} width={size} height={size} viewBox={`0 0 ${path.n} ${path.n}`} shapeRendering="crispEdges">
      <rect width={path.n} height={path.n} fill="#fff" />
      <path d={path.d} fill="#111" />
    </svg>
  );
}
