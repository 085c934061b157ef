// Byte helpers shared by the exec streams and the websocket client.

/** Joins `parts` (`total` bytes in all) into one array; a single part is returned as it is. */
export function concatBytes(parts: Uint8Array[], total = parts.reduce((n, p) => n + p.byteLength, 0)): Uint8Array {
  if (parts.length === 1) return parts[0]!;
  const out = new Uint8Array(total);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.byteLength;
  }
  return out;
}
