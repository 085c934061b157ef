// The virtual LXD wired into an MSW server for one test file.
import { setupServer } from "msw/node";
import { afterAll, afterEach, beforeAll } from "vitest";
import { createLxd, type Lxd } from "../../src/index.js";
import { createVirtualLxd, type VirtualLxdOptions } from "../../src/mock/index.js";

export function useVirtualLxd() {
  const server = setupServer();
  const clients: Lxd[] = [];
  beforeAll(() => server.listen({ onUnhandledRequest: "error" }));
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.close()));
    server.resetHandlers();
  });
  afterAll(() => server.close());
  return {
    server,
    /** A fresh virtual LXD and a client for it (MSW mocks the global WebSocket). */
    start(options: VirtualLxdOptions = {}) {
      const lxd = createVirtualLxd(options);
      server.use(...lxd.handlers);
      const client = createLxd({ remotes: { v: { url: lxd.baseUrl } }, defaultRemote: "v", WebSocket: globalThis.WebSocket });
      clients.push(client);
      return { lxd, client };
    },
    /**
     * Two virtual LXDs, `a` (https://a.test:8443, its running c1) and `b` (https://b.test:8443, no
     * instance), and one client for both (`defaultRemote: "a"`), for copies and moves between them.
     */
    startTwo() {
      const a = createVirtualLxd({ baseUrl: "https://a.test:8443" });
      const b = createVirtualLxd({ baseUrl: "https://b.test:8443", instances: [] });
      server.use(...a.handlers, ...b.handlers);
      const lxd = createLxd({
        remotes: { a: { url: a.baseUrl }, b: { url: b.baseUrl } },
        defaultRemote: "a",
        WebSocket: globalThis.WebSocket,
      });
      clients.push(lxd);
      return { a, b, lxd };
    },
  };
}

/**
 * Resolves once `cond()` holds, checking every few ms; rejects after `ms`. For states the virtual
 * LXD exposes (sockets open, an operation forgotten), so a test waits for what it needs rather
 * than for a guessed duration.
 */
export async function until(cond: () => boolean, ms = 3000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 5));
  }
}

export const text = (b: Uint8Array) => new TextDecoder().decode(b);

export async function readAll(stream: ReadableStream<Uint8Array>): Promise<Uint8Array> {
  const reader = stream.getReader();
  const parts: Uint8Array[] = [];
  for (let r = await reader.read(); !r.done; r = await reader.read()) parts.push(r.value);
  return Uint8Array.from(parts.flatMap((p) => [...p]));
}
