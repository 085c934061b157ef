// The virtual LXD's custom volume migration between two virtual servers in one process, in pull,
// push and relay mode, as LXD 5.0.2 does it (lxd/storage_volumes.go, migrate_storage_volumes.go)
// over the wire instances use too (migration-wire.ts). The source's side is `POST` on the volume
// with `migration: true`: a websocket operation with `control` and `fs` secrets (pull, relay), or
// with a `target` a task that pushes to the target's operation (push; the target is reached when
// the request comes, a missing one is LXD's 500 "websocket: bad handshake"). The target's side is
// `POST` on the pool's volumes with `source.type: "migration"`: a task that pulls (pull) or a
// websocket operation that waits for the push or the relay. As on LXD, the new volume takes its
// config, description and content type from the target's request (the library copies them from
// the source's volume, as `lxc storage volume copy` does); what crosses between the servers is the
// source's snapshots (unless `volume_only` on either side). The virtual LXD keeps no volume files.
import { http, type PathParams } from "msw";
import { projectOf } from "./collection.js";
import type { MockContext } from "./context.js";
import { migrationKind } from "./migration-wire.js";
import { type MockVolume, type MockVolumeSnapshot, newVolume, newVolumeRefusal, volumeUrl } from "./storage.js";

/** What crosses between the servers: the source's snapshots. */
interface Carried {
  snapshots: MockVolumeSnapshot[];
}

const wireOf = migrationKind<Carried>({
  lost: "Error transferring storage volume: websocket closed before the volume arrived",
  timeout: "Error transferring storage volume: Timed out waiting for connections",
});

type Secrets = Record<string, string>;
type SourceBody = { name?: string; migration?: boolean; volume_only?: boolean; target?: { operation?: string; secrets?: Secrets } };
type TargetBody = {
  name?: string;
  description?: string;
  config?: Record<string, string>;
  content_type?: string;
  source?: { type?: string; mode?: string; operation?: string; secrets?: Secrets; volume_only?: boolean; refresh?: boolean };
};

/** What of storage.ts the migration reads and writes. */
export interface VolumeStores {
  pools(): ReadonlyMap<string, unknown>;
  volumes(pool: string, type: string, project: string): Map<string, MockVolume>;
}

const bodyOf = async <T>(request: Request): Promise<T> =>
  (await request
    .clone()
    .json()
    .catch(() => ({}))) as T;
// LXD names a migration's volume this way in the operation's resources.
const resources = (pool: string, name: string) => ({ storage_volumes: [`${pool}/volumes/custom/${name}`] });

export function mockVolumeMigration(ctx: MockContext, stores: VolumeStores) {
  const { base, error } = ctx;
  const wire = wireOf(ctx);
  const VOLUMES = `${base}/1.0/storage-pools/:pool/volumes`;

  /** The source's side: the volume offered (pull, relay) or pushed to the target's operation (push). */
  const source = http.post<PathParams>(`${VOLUMES}/:type/:volume`, async ({ request, params }) => {
    const body = await bodyOf<SourceBody>(request);
    if (body.migration !== true) return undefined; // a rename or move: storage.ts
    const [pool, type, name] = [String(params.pool), String(params.type), String(params.volume)];
    // LXD 5.0.2's checks, in its order.
    if (!body.name) return error(400, "No name provided");
    if (body.name.includes("/")) return error(400, "Storage volume names may not contain slashes");
    if (type !== "custom") return error(400, `Renaming storage volumes of type "${type}" is not allowed`);
    if (!stores.pools().has(pool)) return error(404, "Storage pool not found");
    const v = stores.volumes(pool, type, projectOf(request)).get(name);
    if (!v) return error(404, "Storage pool volume not found");
    const carried = (): Carried => ({ snapshots: body.volume_only ? [] : structuredClone([...v.snapshots.values()]) });
    const target = body.target;
    if (target) {
      if (!wire.waiting(target.operation, target.secrets)) return error(500, "websocket: bad handshake");
      const m = ctx.newOp("task", "Migrating storage volume", resources(pool, name), {});
      ctx.later(m, () => (wire.push(target.operation, target.secrets, carried()) ? undefined : "websocket: close sent"));
      return ctx.accepted(m);
    }
    return ctx.accepted(wire.offer("Migrating storage volume", resources(pool, name), carried));
  });

  /** The target's side: the volume made from what the source sends. */
  const target = http.post<PathParams>(`${VOLUMES}/:type`, async ({ request, params }) => {
    const body = await bodyOf<TargetBody>(request);
    const src = body.source;
    if (src?.type !== "migration") return undefined; // a create or a copy: storage.ts
    const [pool, type, project] = [String(params.pool), String(params.type), projectOf(request)];
    const name = body.name ?? "";
    const refused = newVolumeRefusal(name, type);
    if (refused) return error(...refused);
    if (!stores.pools().has(pool)) return error(404, "Storage pool not found");
    const store = stores.volumes(pool, type, project);
    if (store.has(name) && !src.refresh) return error(409, "Volume by that name already exists");
    if (src.mode !== "pull" && src.mode !== "push") return error(501, `Mode '${src.mode ?? ""}' not implemented`);
    if (src.mode === "pull" && !src.secrets?.control) return error(500, "Missing control secret");
    if (src.mode === "pull" && !src.secrets?.fs) return error(500, "Missing fs secret");

    // A refresh keeps the volume there and takes the source's snapshots.
    const place = (c: Carried) => {
      const snapshots = new Map(src.volume_only ? [] : c.snapshots.map((s) => [s.name, s]));
      const kept = src.refresh ? store.get(name) : undefined;
      if (kept) return void (kept.snapshots = snapshots);
      store.set(name, { ...newVolume(name, { ...body.config }, body.description ?? "", body.content_type), snapshots });
      ctx.lifecycle("storage-volume-created", volumeUrl(pool, { type, name }, project), {}, project);
    };
    if (src.mode === "pull") {
      const m = ctx.newOp("task", "Copying storage volume", resources(pool, name), {});
      ctx.later(m, () => {
        const c = wire.pull(src.operation, src.secrets);
        if (c === undefined) return "Error transferring storage volume: websocket: bad handshake";
        place(c);
        return undefined;
      });
      return ctx.accepted(m);
    }
    // Push or relay: the source pushes, or the client relays its fs socket.
    return ctx.accepted(wire.sink("Creating storage volume", resources(pool, name), place));
  });

  return { handlers: [source, target] };
}
