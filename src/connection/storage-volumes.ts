// Storage volumes' factory over the shared core, for the registry (registry.ts): the family's
// deps, plus the websockets and base URLs that a relayed copy between servers connects to on
// both (volume-migration.ts), as instance copies have them (migration.ts).
import type { LxdBase } from "./base.js";
import { family } from "./capabilities.js";
import { webSocketOf } from "./web-socket.js";
import { createStorageVolumes, type StorageVolumesApi } from "../capabilities/storage-volumes.js";

const KEY = {};

/** Storage volumes of every type, and their copies between servers (pull, push, relay). */
export function lxdStorageVolumes(base: LxdBase): StorageVolumesApi {
  return base.shared(KEY, () =>
    family((deps) =>
      createStorageVolumes({
        core: deps.core,
        get hub() {
          return deps.hub;
        },
        operations: deps.operations,
        info: deps.info,
        relay: { webSocket: webSocketOf(base), baseUrl: base.baseUrl },
      }),
    )(base),
  );
}
