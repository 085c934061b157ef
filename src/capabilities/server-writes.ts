// The server's config writes (`PUT`/`PATCH /1.0`), which LXD 5.0 and Incus 6.0 answer at once and
// LXD 6.8+ and newer Incus with an operation: undefined when done, else the LxdOperation, waited
// for with `wait: true`. Apart from server.ts, whose info cache every family's extension check
// bundles, so that the operations code comes only with these writes.
import { call } from "./mutator.js";
import type { StartDeps } from "./operation.js";
import {
  checkConfig,
  type InfoCache,
  type ServerApi,
  type ServerConfig,
  type ServerWriteOperation,
  type ServerWriteOptions,
} from "./server.js";
import { sendWrite } from "./written.js";
import { checkBoolean, checkSegment } from "../utils/validate.js";

export function serverWrites(start: StartDeps, info: InfoCache): Pick<ServerApi, "updateConfig" | "patchConfig"> {
  const { core } = start;
  const write = (method: "PUT" | "PATCH", where: string) =>
    call<[ServerConfig], ServerWriteOptions, ServerWriteOperation | undefined>(where, 1, async (at, [config], o) => {
      checkConfig(where, config);
      checkBoolean(where, "wait", o.wait);
      // `?target=` through the scope: sendWrite sends a project only.
      const to = o.target !== undefined ? { ...core.scope(at), target: checkSegment(where, "target", o.target) } : at;
      const op = await sendWrite(start, to, method, "/1.0", { path: {}, body: { config }, signal: o.signal });
      if (op && !o.wait) return op;
      await op?.wait(o.signal ? { signal: o.signal } : {});
      // What `info` kept is stale now: ask again so that its `config` is the new one.
      await info(at, true, o.signal).catch(() => undefined);
      return undefined;
    });
  return { updateConfig: write("PUT", "server.updateConfig"), patchConfig: write("PATCH", "server.patchConfig") };
}
