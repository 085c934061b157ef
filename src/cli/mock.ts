// `--mock`: the CLI against the virtual LXD, in this process through MSW. Loaded only then, so
// msw is needed only for it.
import type { Lxd } from "../index.js";
import { createClient } from "./runtime.js";

export async function startMock(): Promise<{ lxd: Lxd; stop: () => Promise<void> }> {
  // MSW intercepts the global WebSocket, which Node 20 only has behind a flag.
  globalThis.WebSocket ??= (await import("undici")).WebSocket as unknown as typeof WebSocket;
  let setupServer: typeof import("msw/node").setupServer;
  let createVirtualLxd: typeof import("../mock/index.js").createVirtualLxd;
  try {
    ({ setupServer } = await import("msw/node"));
    ({ createVirtualLxd } = await import("../mock/index.js"));
  } catch {
    throw new Error("--mock needs the msw package: npm install msw");
  }
  const virtual = createVirtualLxd({ instances: ["c1"] });
  const server = setupServer(...virtual.handlers);
  server.listen({ onUnhandledRequest: "error" });
  // In mock mode `local` is the virtual LXD.
  const lxd = await createClient({ remotes: { local: { url: virtual.baseUrl } }, WebSocket: globalThis.WebSocket }, { inProcess: true });
  return {
    lxd,
    stop: async () => {
      await lxd.close();
      server.close();
    },
  };
}
