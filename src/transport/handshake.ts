// The HTTP/1.1 websocket upgrade written by hand, for transports that open the socket themselves
// (Deno's Deno.connect/connectTls, Bun's node:net/node:tls): the request, and the answer's head.
const MAX_HEAD = 64 * 1024;

export function upgradeRequest(url: string, key: string, headers?: Record<string, string>): Uint8Array {
  const u = new URL(url);
  let extra = "";
  // Values come from a Headers object (the hooks'), which refuses CR and LF: no header can be injected.
  for (const [k, v] of Object.entries(headers ?? {})) if (!/^(host|upgrade|connection|sec-websocket-)/i.test(k)) extra += `${k}: ${v}\r\n`;
  return new TextEncoder().encode(
    `GET ${u.pathname}${u.search} HTTP/1.1\r\nHost: ${u.host}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
      `Sec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 13\r\n${extra}\r\n`,
  );
}

/**
 * The answer's head once `buf` holds all of it: its Sec-WebSocket-Accept, and the bytes after it
 * (the first websocket data). Undefined while incomplete; throws on anything but 101.
 */
export function parseHead(buf: Uint8Array): { accept: string | undefined; rest: Uint8Array } | undefined {
  for (let i = 3; i < buf.length; i++) {
    if (buf[i - 3] === 13 && buf[i - 2] === 10 && buf[i - 1] === 13 && buf[i] === 10) {
      const head = new TextDecoder().decode(buf.subarray(0, i - 3));
      const status = head.slice(0, head.indexOf("\r\n") >>> 0);
      if (!/^HTTP\/1\.1 101\b/.test(status)) throw new Error(`the server answered ${status}`);
      const accept = /\r\nsec-websocket-accept:[ \t]*([^\r\n]*)/i.exec(head)?.[1]?.trim();
      return { accept, rest: buf.subarray(i + 1) };
    }
  }
  if (buf.length > MAX_HEAD) throw new Error("the server's handshake answer is too large");
  return undefined;
}
