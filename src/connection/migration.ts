// Instance copy and move's factory over the shared core, for the registry (registry.ts): the
// family's deps, plus the websockets and base URLs that relay mode connects to on both servers.
import type { LxdBase } from "./base.js";
import { family } from "./capabilities.js";
import { webSocketOf } from "./web-socket.js";
import { createInstanceMigration, type InstanceMigrationApi } from "../capabilities/instance-copy.js";

const KEY = {};

/** Instance copy and move, within one server and between servers (pull, push, relay). */
export function lxdMigration(base: LxdBase): InstanceMigrationApi {
  return base.shared(KEY, () =>
    family((deps) =>
      createInstanceMigration({
        core: deps.core,
        get hub() {
          return deps.hub;
        },
        operations: deps.operations,
        info: deps.info,
        webSocket: webSocketOf(base),
        baseUrl: base.baseUrl,
      }),
    )(base),
  );
}
