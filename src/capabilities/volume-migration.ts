// A custom storage volume copied to another server through LXD's migration (the model is LXD's
// Go client, client/lxd_storage_volumes.go CopyStoragePoolVolume). `pull`: the source opens a
// migration operation (`POST` on the volume with `migration: true`), whose metadata holds the
// websocket secrets, and the target creates the volume from it (`source.type: migration`,
// `mode: pull`, the operation's URL on each of the source's addresses, its certificate and
// secrets). `push`: the other way round, the target's operation given to the source as its
// `target`. The servers talk to each other; the client only starts both sides and waits.
// `relay`: for servers that cannot reach each other, the target's create in push mode and the
// source's migration without a target, and the client carries the frames between both
// operations' websockets (migration-relay.ts, as for instances).
import { syncMetadata } from "../request/envelope.js";
import type { Where } from "../request/pipeline.js";
import { AbortError, InvalidArgumentError, LxdFetchError, OperationError } from "../utils/errors.js";
import { checkBoolean, checkFunction } from "../utils/validate.js";
import type { components } from "../generated/lxd.js";
import { type LxdOperation, type StartDeps, startOperation } from "./operation.js";
import type { ProjectOptions } from "./options.js";
import { requireExtension, type InfoCache } from "./server.js";
import { type Relay, relayMigration } from "./migration-relay.js";
import type { WebSocketFactory } from "../streams/websocket.js";

const LIST = "/1.0/storage-pools/{poolName}/volumes/{type}";
const ITEM = "/1.0/storage-pools/{poolName}/volumes/{type}/{volumeName}";

/**
 * Who connects to whom between two servers: the target to the source (pull), the source to the
 * target (push), or the client to both, carrying the data (relay).
 */
export type VolumeMigrationMode = "pull" | "push" | "relay";

/** A cross-server copy's progress as LXD reports it (`fs_progress`: `v1: 12.3MB (4.1MB/s)`). */
export interface VolumeCopyProgress {
  /** LXD's metadata key (`fs_progress`, `block_progress`, …). */
  stage: string;
  text: string;
}

export interface VolumeMigrationOptions extends ProjectOptions {
  volumeOnly?: boolean;
  /**
   * Default `pull` (as `lxc storage volume copy`); `push` where the source reaches the target but
   * not the reverse; `relay` where neither reaches the other (the data goes through the client).
   */
  mode?: VolumeMigrationMode;
  onProgress?: (p: VolumeCopyProgress) => void;
}

export interface VolumeAcross {
  pool: string;
  name: string;
  /** The target's project (default: its scope's). */
  project: string | undefined;
}

/** What relay mode connects with: each remote's websockets and base URL (connection/storage-volumes.ts gives them). */
export interface VolumeRelayDeps {
  webSocket: (where: Where) => WebSocketFactory;
  baseUrl: (where: Where) => string;
}

type Deps = StartDeps & { info: InfoCache; relay?: VolumeRelayDeps | undefined };
type Volume = components["schemas"]["StorageVolume"];

const https = (address: string) => (/^https?:\/\//.test(address) ? address : `https://${address}`);

/** Copies custom volume `pool/name` of `from` to `to` through LXD's migration; resolves once the target has it. */
export async function copyVolumeAcross(
  deps: Deps,
  where: string,
  from: Where,
  to: Where,
  pool: string,
  name: string,
  dest: VolumeAcross,
  o: VolumeMigrationOptions,
): Promise<void> {
  const mode = o.mode ?? "pull";
  if (mode !== "pull" && mode !== "push" && mode !== "relay")
    throw new InvalidArgumentError(`${where}: mode is "pull", "push" or "relay" between servers`);
  const relayDeps = deps.relay;
  if (mode === "relay" && !relayDeps) throw new InvalidArgumentError(`${where}: relay mode needs a client with websockets (createLxd)`);
  checkBoolean(where, "volumeOnly", o.volumeOnly);
  if (o.onProgress !== undefined) checkFunction(where, "onProgress", o.onProgress);
  const { signal } = o;
  const sig = signal ? { signal } : {};
  const sourceProject = o.project ?? deps.core.scope(from).project;
  const targetProject = dest.project ?? deps.core.scope(to).project;
  for (const [at, ext] of [
    [from, "storage_api_remote_volume_handling"],
    [to, "storage_api_remote_volume_handling"],
  ] as const)
    await requireExtension(deps.info, deps.core.resolve(at), ext, where, signal);

  const [volume, sourceInfo, targetInfo] = await Promise.all([
    deps.core
      .send(from, "GET", ITEM, {
        params: {
          path: { poolName: pool, type: "custom", volumeName: name },
          query: sourceProject !== undefined ? { project: sourceProject } : {},
        },
        signal,
      })
      .then((s) => syncMetadata(s) as Volume),
    deps.info(from, false, signal),
    deps.info(to, false, signal),
  ]);
  if (crashesTarget(sourceInfo, targetInfo))
    throw new InvalidArgumentError(
      `${where}: the target, Incus ${targetInfo.environment?.server_version}, crashes on a custom volume migrated from ${serverOf(sourceInfo)}, which sends no volume size (fixed in Incus 6.0.5 and 6.13); nothing was sent`,
    );
  const sourceAddresses = (sourceInfo.environment?.addresses ?? []).map(https);
  const targetAddresses = (targetInfo.environment?.addresses ?? []).map(https);
  // Relay: the client connects to both, neither server needs to reach the other.
  const listening = mode === "relay" ? ["(relay)"] : mode === "pull" ? sourceAddresses : targetAddresses;
  if (listening.length === 0)
    throw new InvalidArgumentError(
      `${where}: the ${mode === "pull" ? "source" : "target"} does not listen on the network (no core.https_address) for mode "${mode}"`,
    );

  const created = {
    name: dest.name,
    type: "custom",
    ...(volume.config && { config: volume.config }),
    ...(volume.description && { description: volume.description }),
    ...(volume.content_type && { content_type: volume.content_type }),
  };
  const volumeOnly = o.volumeOnly !== undefined ? { volume_only: o.volumeOnly } : {};
  // Not aborted midway: an abort while the answer is read would leave the target creating a
  // volume no handle knows of. It is checked right after (settle), and the catch removes it.
  const createOn = (body: object) =>
    startOperation(deps, to, "POST", LIST, {
      params: { path: { poolName: dest.pool, type: "custom" } },
      body: body as never,
      project: targetProject,
    });
  const migrateFrom = (body: object) =>
    startOperation(deps, from, "POST", ITEM, {
      params: { path: { poolName: pool, type: "custom", volumeName: name } },
      body: body as never,
      ...sig,
      project: sourceProject,
    });
  const secretsOf = (op: LxdOperation): Record<string, string> =>
    Object.fromEntries(
      Object.entries(op.current.metadata ?? {}).filter((e): e is [string, string] => typeof e[1] === "string" && e[0] !== "entity_url"),
    );

  const ops: LxdOperation[] = [];
  // The target's create, once sent: a failed or aborted copy removes what it made.
  let creating: LxdOperation | undefined;
  let relay: Relay | undefined;
  // An abort before the call returns wins even where the servers had just finished (their last
  // progress report can come after the last byte): AbortError, and the copy undone below, so the
  // outcome never depends on how fast the servers were.
  const stopIfAborted = () => {
    if (signal?.aborted) throw new AbortError(where, signal.reason);
  };
  try {
    const failures: string[] = [];
    if (mode === "relay" && relayDeps) {
      const source = await migrateFrom({ migration: true, name, pool, ...volumeOnly });
      ops.push(source);
      const target = await createOn({ ...created, source: { type: "migration", mode: "push", name, pool, ...volumeOnly } });
      ops.push(target);
      creating = target;
      relay = await relayMigration(
        {
          factory: relayDeps.webSocket(from),
          base: relayDeps.baseUrl(from),
          remote: deps.core.resolve(from),
          id: source.id,
          secrets: secretsOf(source),
        },
        {
          factory: relayDeps.webSocket(to),
          base: relayDeps.baseUrl(to),
          remote: deps.core.resolve(to),
          id: target.id,
          secrets: secretsOf(target),
        },
        signal,
      );
      // Both operations must end well: the target's (it made the volume) and the source's (it sent all of it).
      await Promise.all([
        settle(target, o, failures, "(relay)", 1),
        settle(source, o.signal ? { signal: o.signal } : {}, failures, "(relay)", 1),
      ]);
      stopIfAborted();
      relay.close();
      return;
    }
    if (mode === "pull") {
      const source = await migrateFrom({ migration: true, name, pool, ...volumeOnly });
      ops.push(source);
      for (const address of listening) {
        const target = await createOn({
          ...created,
          source: {
            type: "migration",
            mode: "pull",
            name,
            pool,
            operation: `${address}/1.0/operations/${encodeURIComponent(source.id)}`,
            certificate: sourceInfo.environment?.certificate ?? "",
            secrets: secretsOf(source),
            ...volumeOnly,
          },
        });
        ops.push(target);
        creating = target;
        const done = await settle(target, o, failures, address, listening.length);
        if (done) return stopIfAborted();
      }
    } else {
      const target = await createOn({ ...created, source: { type: "migration", mode: "push", name, pool, ...volumeOnly } });
      ops.push(target);
      creating = target;
      for (const address of listening) {
        const source = await migrateFrom({
          migration: true,
          name,
          pool,
          ...volumeOnly,
          target: {
            operation: `${address}/1.0/operations/${encodeURIComponent(target.id)}`,
            certificate: targetInfo.environment?.certificate ?? "",
            secrets: secretsOf(target),
          },
        });
        ops.push(source);
        const done = await settle(source, o, failures, address, listening.length);
        if (done) {
          await target.wait(sig);
          return stopIfAborted();
        }
      }
    }
    throw new LxdFetchError(`${where}: no address of the other server was reached: ${failures.join("; ")}`);
  } catch (err) {
    // A failed or aborted copy: both sides' operations cancelled, so the source's migration
    // does not wait for a connection that never comes, and the target keeps no half volume.
    relay?.close();
    for (const op of ops) await op.cancel().catch(() => undefined);
    if (creating) await removeHalf(deps, to, creating, dest, targetProject);
    throw err;
  }
}

// How long a failed copy waits for the target's create to end before removing what it made.
const HALF_WAIT_MS = 15_000;

/**
 * After a failed or aborted copy: once the target's create has ended (or HALF_WAIT_MS passed), the
 * volume it was making is deleted, unless the create failed because the name was taken (then
 * the volume there is not this copy's).
 */
async function removeHalf(deps: Deps, to: Where, creating: LxdOperation, dest: VolumeAcross, project: string | undefined) {
  const ended = await creating.wait({ timeout: HALF_WAIT_MS }).then(
    () => undefined,
    (e: unknown) => e,
  );
  if (ended instanceof OperationError && /already exists/i.test(ended.err)) return;
  await deps.core
    .send(to, "DELETE", ITEM, {
      params: {
        path: { poolName: dest.pool, type: "custom", volumeName: dest.name },
        query: project !== undefined ? { project } : {},
      },
    })
    .then((sent) => syncMetadata(sent))
    .catch(() => undefined); // not there (the server cleaned up, or it was never made): nothing to remove
}

/** Waits for `op` with progress: true when done, false when another address may do (a failed migration), throws otherwise. */
async function settle(
  op: LxdOperation,
  o: VolumeMigrationOptions,
  failures: string[],
  address: string,
  addresses: number,
): Promise<boolean> {
  const off = o.onProgress
    ? op.onUpdate((u) => {
        for (const [stage, text] of Object.entries(u.metadata ?? {}))
          if (stage.endsWith("_progress") && typeof text === "string") o.onProgress?.({ stage, text });
      })
    : undefined;
  try {
    await op.wait(o.signal ? { signal: o.signal } : {});
    return true;
  } catch (err) {
    if (!(err instanceof OperationError) || addresses === 1) throw err;
    failures.push(`${address}: ${err.message}`);
    return false;
  } finally {
    off?.();
  }
}

type ServerInfo = components["schemas"]["Server"];

const serverOf = (info: ServerInfo) =>
  `${info.environment?.server === "incus" ? "Incus" : "LXD"} ${info.environment?.server_version ?? "(version unknown)"}`;

/**
 * Whether a custom volume migration from `source` would crash the `target` daemon. Incus 6.0.4,
 * 6.11 and 6.12 read the volume size in the source's migration header through a pointer they
 * never check, and panic when it is absent: it is absent from every LXD and from Incus before
 * 6.11 (6.0.4 has it). Incus 6.0.5 and 6.13 check it. docs/migration.md has the source lines.
 */
export function crashesTarget(source: ServerInfo, target: ServerInfo): boolean {
  if (target.environment?.server !== "incus" || !/^6\.(0\.4|11|12)(\.|$)/.test(target.environment.server_version ?? "")) return false;
  if (source.environment?.server !== "incus") return true;
  const [major = 0, minor = 0, patch = 0] = (source.environment.server_version ?? "").split(".").map(Number);
  const sendsSize = major > 6 || (major === 6 && (minor >= 11 || (minor === 0 && patch >= 4)));
  return !sendsSize;
}
