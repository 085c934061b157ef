// The virtual LXD's storage: dir pools, volumes of every type (per project) and their snapshots,
// on the virtual family (collection.ts), with the status codes, messages and sync-or-operation
// answers LXD 5.0.2 gives (checked against it and Incus 6.0.4 by test/integration/storage.test.ts).
// What the family does not do is here, in handlers put before its own: a missing pool or an
// unknown type answered first, lists with snapshots, copies and moves as operations, restores,
// snapshots (each change an operation), a pool's resources, and no pool rename (501). Copies and
// moves between two virtual servers are volume-migration.ts's.
import { http, type PathParams } from "msw";
import { isStringMap, projectOf, virtualFamily, type VirtualItem } from "./collection.js";
import { appliedFilter, matchesName } from "./filter.js";
import type { MockContext } from "./context.js";

export interface MockStoragePool extends VirtualItem {
  driver: string;
  description: string;
}

export interface MockVolumeSnapshot {
  name: string;
  description: string;
  config: Record<string, string>;
  created_at: string;
  expires_at: string;
}

export interface MockVolume extends VirtualItem {
  type: string;
  description: string;
  content_type: string;
  created_at: string;
  snapshots: Map<string, MockVolumeSnapshot>;
}

const TYPES = ["custom", "container", "virtual-machine", "image"];
// The volume config keys of a dir pool LXD 5.0.2 takes; anything else it refuses.
const VOLUME_KEY =
  /^(?:size|user\..+|snapshots\.(?:expiry|schedule|schedule\.stopped|pattern)|security\.(?:shifted|unmapped)|block\.(?:filesystem|mount_options))$/;
const GiB = 1024 ** 3;

type Devices = Record<string, Record<string, string>>;

/** A new custom volume (content type `filesystem` unless given), without snapshots. */
export function newVolume(name: string, config: Record<string, string>, description: string, contentType: unknown): MockVolume {
  return {
    name,
    type: "custom",
    description,
    config,
    content_type: typeof contentType === "string" && contentType !== "" ? contentType : "filesystem",
    created_at: new Date().toISOString(),
    snapshots: new Map(),
  };
}

/** LXD 5.0.2's first checks of a new custom volume's name and type (a copy, a migration's target). */
export function newVolumeRefusal(name: string, type: string): [400, string] | undefined {
  if (name === "") return [400, "No name provided"];
  if (name.includes("/")) return [400, "Storage volume names may not contain slashes"];
  if (type !== "custom") return [400, `Currently not allowed to create storage volumes of type "${type}"`];
  return undefined;
}

/** A volume's URL as LXD names it in `used_by` and lifecycle events. */
export const volumeUrl = (pool: string, v: { type: string; name: string }, project: string) =>
  `/1.0/storage-pools/${encodeURIComponent(pool)}/volumes/${v.type}/${encodeURIComponent(v.name)}${project === "default" ? "" : `?project=${project}`}`;

/** `profiles(project)`: the profiles' devices, to tell which running instances use a volume. */
export function mockStorage(ctx: MockContext, profiles: (project?: string) => Map<string, { devices?: Devices }>) {
  const { base, ok, error } = ctx;
  const projects = new Set(["default"]);

  const pools = virtualFamily<MockStoragePool>(ctx, {
    path: "/1.0/storage-pools",
    lifecycle: "storage-pool",
    notFound: "Storage pool not found",
    exists: () => [409, "The storage pool already exists: The record already exists"],
    create: (b) => {
      if (typeof b.driver !== "string" || b.driver === "") return [400, "No driver provided"];
      // The virtual server has the dir driver only, as the real test servers do; LXD 5.0.2 answers
      // another with the loading error of its kernel module or tool.
      if (b.driver !== "dir") return [500, `Error loading "${b.driver}" module`];
      const name = String(b.name);
      return {
        name,
        driver: "dir",
        description: typeof b.description === "string" ? b.description : "",
        config: { source: `/var/lib/lxd/storage-pools/${name}`, ...(b.config as Record<string, string> | undefined) },
      };
    },
    refuse: (action, p) =>
      action === "delete" && volumesOf(p.name).length > 0 ? [400, "The storage pool is currently in use"] : undefined,
    view: (p) => ({
      ...p,
      // LXD 5.0.2 sends an unused pool's used_by as null (a Go nil slice); Incus 6.0.4 sends [].
      used_by: volumesOf(p.name).map(({ project, volume }) => volumeUrl(p.name, volume, project)).length
        ? volumesOf(p.name).map(({ project, volume }) => volumeUrl(p.name, volume, project))
        : null,
      status: "Created",
      locations: ["none"],
    }),
    fixed: ["driver", "status", "locations"],
    noRename: true,
  });

  const volumes = virtualFamily<MockVolume>(ctx, {
    path: "/1.0/storage-pools/:pool/volumes/:type",
    lifecycle: "storage-volume",
    perProject: true,
    notFound: "Storage pool volume not found",
    exists: () => [409, "Volume by that name already exists"],
    create: (b, parents) => {
      if (parents.type !== "custom") return [400, `Currently not allowed to create storage volumes of type "${parents.type}"`];
      const name = String(b.name);
      const config = (b.config as Record<string, string> | undefined) ?? {};
      const bad = Object.keys(config).find((k) => !VOLUME_KEY.test(k));
      if (bad !== undefined) return [500, `Invalid option for volume "default_${name}" option "${bad}"`];
      return newVolume(name, config, typeof b.description === "string" ? b.description : "", b.content_type);
    },
    view: (v) => volumeView(v),
    fixed: ["type", "content_type", "created_at", "snapshots", "project", "location", "used_by"],
  });

  const store = (project: string, pool: string, type: string) => volumes.items(project, { pool, type });
  /** Every volume of a pool, in every project and type. */
  function volumesOf(pool: string): { project: string; volume: MockVolume }[] {
    return [...projects].flatMap((project) =>
      TYPES.flatMap((type) => [...store(project, pool, type).values()].map((volume) => ({ project, volume }))),
    );
  }
  // Where a volume lives, for what its GET shows (the family's view has only the item).
  const homeOf = (v: MockVolume): { pool: string; project: string } => {
    for (const project of projects)
      for (const pool of pools.items().keys()) if (store(project, pool, v.type).get(v.name) === v) return { pool, project };
    return { pool: "", project: "default" };
  };
  // What uses the volume: instances and profiles with a disk device on it.
  const usedBy = (pool: string, name: string, project: string) => {
    const on = (devices: Devices | undefined) =>
      Object.values(devices ?? {}).some((d) => d.type === "disk" && d.pool === pool && d.source === name);
    return [
      ...[...ctx.instances.values()].filter((i) => on(i.devices)).map((i) => `/1.0/instances/${i.name}`),
      ...[...profiles(project).entries()].filter(([, p]) => on(p.devices)).map(([n]) => `/1.0/profiles/${n}`),
    ];
  };
  function volumeView(v: MockVolume, project = homeOf(v).project) {
    const { snapshots: _, ...rest } = v;
    return { ...rest, used_by: usedBy(homeOf(v).pool, v.name, project), location: "none", project };
  }
  const snapshotView = (v: MockVolume, s: MockVolumeSnapshot, project: string) => ({
    ...volumeView(v, project),
    name: s.name,
    description: s.description,
    config: s.config,
    created_at: s.created_at,
    expires_at: s.expires_at,
  });

  // A running instance uses the volume through its own devices or its profiles'.
  const usedByRunning = (pool: string, name: string, project: string) =>
    [...ctx.instances.values()].some((i) => {
      if (i.status !== "Running") return false;
      const devices = [...Object.values(i.devices), ...i.profiles.flatMap((p) => Object.values(profiles(project).get(p)?.devices ?? {}))];
      return devices.some((d) => d.type === "disk" && d.pool === pool && d.source === name);
    });

  const params = (p: PathParams) => ({ pool: String(p.pool), type: String(p.type), volume: String(p.volume ?? p.name) });
  /** The pool and type checks LXD makes before anything else: 404 without the pool, 400 for a type it lacks. */
  const checked = (request: Request): Response | undefined => {
    const [pool = "", , type] = new URL(request.url).pathname.split("/1.0/storage-pools/")[1]!.split("/").map(decodeURIComponent);
    if (!pools.items().has(pool)) return error(404, "Storage pool not found");
    if (type !== undefined && !TYPES.includes(type)) return error(400, "Invalid storage volume type name");
    return undefined;
  };
  const volumeIn = (request: Request, p: PathParams) => {
    const { pool, type, volume } = params(p);
    return store(projectOf(request), pool, type).get(volume);
  };
  const json = async (request: Request): Promise<Record<string, unknown>> => {
    const b = (await request
      .clone()
      .json()
      .catch(() => ({}))) as unknown;
    return typeof b === "object" && b !== null && !Array.isArray(b) ? (b as Record<string, unknown>) : {};
  };
  // A volume copied with (or without) its snapshots; the request's config and description, where
  // given, over the source's (LXD 5.0.2's CreateCustomVolumeFromCopy takes the source's for a
  // missing config or an empty description).
  const copyOf = (v: MockVolume, name: string, volumeOnly: boolean, b: Record<string, unknown> = {}): MockVolume => ({
    ...v,
    name,
    config: { ...(isStringMap(b.config) ? b.config : v.config) },
    description: typeof b.description === "string" && b.description !== "" ? b.description : v.description,
    created_at: new Date().toISOString(),
    snapshots: new Map(volumeOnly ? [] : [...v.snapshots].map(([k, s]) => [k, { ...s, config: { ...s.config } }])),
  });

  const listed = (request: Request, p: PathParams) => {
    const q = new URL(request.url).searchParams;
    const all = q.get("all-projects") === "true";
    if (all && q.get("project")) return error(400, "Cannot specify a project when requesting all projects");
    const pool = String(p.pool);
    const types = p.type === undefined ? TYPES : [String(p.type)];
    const recursion = Number(q.get("recursion") ?? 0) > 0;
    // LXD filters volumes (storage_volume_api_filtering), each snapshot by its listed name.
    const filter = appliedFilter(ctx.extensions, "storage_volume_api_filtering", q);
    const out: unknown[] = [];
    for (const project of all ? [...projects] : [projectOf(request)])
      for (const type of types)
        for (const v of [...store(project, pool, type).values()].sort((a, b) => (a.name < b.name ? -1 : 1))) {
          const url = volumeUrl(pool, v, project);
          if (matchesName(filter, v)) out.push(recursion ? volumeView(v, project) : url);
          for (const s of v.snapshots.values())
            if (matchesName(filter, { name: `${v.name}/${s.name}` }))
              out.push(
                recursion
                  ? { ...snapshotView(v, s, project), name: `${v.name}/${s.name}` }
                  : url.replace(/(\?|$)/, `/snapshots/${encodeURIComponent(s.name)}$1`),
              );
        }
    return ok(out);
  };

  const snapshotChanged = (action: string, request: Request, p: PathParams, snapshot: string) => {
    const project = projectOf(request);
    const { pool, type, volume } = params(p);
    const [path, query = ""] = volumeUrl(pool, { type, name: volume }, project).split("?");
    const source = `${path}/snapshots/${encodeURIComponent(snapshot)}${query && `?${query}`}`;
    ctx.lifecycle(`storage-volume-snapshot-${action}`, source, {}, project);
  };

  const VOLUMES = `${base}/1.0/storage-pools/:pool/volumes`;
  const VOLUME = `${VOLUMES}/:type/:volume`;
  const SNAPSHOTS = `${VOLUME}/snapshots`;
  const SNAPSHOT = `${SNAPSHOTS}/:snapshot`;

  const handlers = [
    // LXD has no pool rename: the route answers 501 as LXD 5.0.2 and Incus 6.0.4 do.
    http.post(`${base}/1.0/storage-pools/:pool`, () => error(501, "not implemented")),
    http.get(`${base}/1.0/storage-pools/:pool/resources`, ({ params: p }) => {
      const pool = pools.items().get(String(p.pool));
      if (!pool) return error(404, "Storage pool not found");
      const used = volumesOf(pool.name).length * 4096;
      return ok({ space: { used, total: 100 * GiB }, inodes: { used: volumesOf(pool.name).length, total: 6_553_600 } });
    }),
    // Before the family: the pool and the type, then what the family does not do.
    http.all(`${VOLUMES}`, ({ request }) => checked(request)),
    http.all(`${VOLUMES}/*`, ({ request }) => checked(request)),
    http.get(VOLUMES, ({ request, params: p }) => listed(request, p)),
    http.get(`${VOLUMES}/:type`, ({ request, params: p }) => listed(request, p)),
    http.post(`${VOLUMES}/:type`, async ({ request, params: p }) => {
      projects.add(projectOf(request));
      const b = await json(request);
      const source = b.source as { type?: string; pool?: string; name?: string; volume_only?: boolean; project?: string } | undefined;
      if (source?.type !== "copy") return undefined; // a plain create: the family's
      const { pool, type } = params(p);
      const project = projectOf(request);
      const name = typeof b.name === "string" ? b.name : "";
      const refused = newVolumeRefusal(name, type);
      if (refused) return error(...refused);
      if (store(project, pool, type).has(name)) return error(409, "Volume by that name already exists");
      const from = String(source.pool ?? pool);
      const fromProject = source.project ?? project;
      const m = ctx.newOp("task", "Copying storage volume", {}, {});
      ctx.later(m, () => {
        const v = store(fromProject, from, type).get(String(source.name));
        if (!v || !pools.items().has(from))
          return `Failed generating volume copy config: Storage volume "${source.name}" in project "${fromProject}" of type "${type}" does not exist on pool "${from}": Storage volume not found`;
        store(project, pool, type).set(name, copyOf(v, name, source.volume_only === true, b));
        ctx.lifecycle("storage-volume-created", volumeUrl(pool, { type, name }, project), {}, project);
        return undefined;
      });
      return ctx.accepted(m);
    }),
    // A move to another pool or project is an operation; a new name alone is the family's rename.
    http.post(VOLUME, async ({ request, params: p }) => {
      const b = await json(request);
      const { pool, type, volume } = params(p);
      const project = projectOf(request);
      const toPool = typeof b.pool === "string" && b.pool !== "" ? b.pool : pool;
      const toProject = typeof b.project === "string" && b.project !== "" ? b.project : project;
      if (toPool === pool && toProject === project) return undefined;
      const v = store(project, pool, type).get(volume);
      if (!v) return error(404, "Storage pool volume not found");
      if (!pools.items().has(toPool)) return error(404, "Storage pool not found");
      const name = typeof b.name === "string" && b.name !== "" ? b.name : volume;
      if (store(toProject, toPool, type).has(name)) return error(409, "Volume by that name already exists");
      projects.add(toProject);
      const m = ctx.newOp("task", "Moving storage volume", {}, {});
      ctx.later(m, () => {
        store(project, pool, type).delete(volume);
        store(toProject, toPool, type).set(name, { ...v, name });
        ctx.lifecycle("storage-volume-created", volumeUrl(toPool, { type, name }, toProject), {}, toProject);
        ctx.lifecycle("storage-volume-deleted", volumeUrl(pool, { type, name: volume }, project), {}, project);
        return undefined;
      });
      return ctx.accepted(m);
    }),
    // A restore is a PUT with `restore`: the data comes back, the config stays (as on LXD 5.0.2).
    http.put(VOLUME, async ({ request, params: p }) => {
      const b = await json(request);
      if (typeof b.restore !== "string" || b.restore === "") return undefined;
      const v = volumeIn(request, p);
      if (!v) return error(404, "Storage pool volume not found");
      if (!v.snapshots.has(b.restore)) return error(500, "Snapshot not found");
      if (usedByRunning(params(p).pool, v.name, projectOf(request)))
        return error(500, "Cannot restore custom volume used by running instances");
      return ok({});
    }),
    // LXD 5.0.2 cannot measure a dir volume without a quota (Incus 6.0.4 answers `usage: null`).
    http.get(`${VOLUME}/state`, ({ request, params: p }) =>
      volumeIn(request, p) ? error(500, "Not supported") : error(404, "Storage pool volume not found"),
    ),
    http.get(SNAPSHOTS, ({ request, params: p }) => {
      const v = volumeIn(request, p);
      // LXD 5.0.2 lists a missing volume's snapshots as none (Incus 6.0.4 answers 404).
      if (!v) return ok([]);
      const recursion = Number(new URL(request.url).searchParams.get("recursion") ?? 0) > 0;
      const url = volumeUrl(params(p).pool, v, projectOf(request)).split("?")[0];
      return ok(
        [...v.snapshots.values()].map((s) =>
          recursion ? snapshotView(v, s, projectOf(request)) : `${url}/snapshots/${encodeURIComponent(s.name)}`,
        ),
      );
    }),
    http.get(SNAPSHOT, ({ request, params: p }) => {
      const v = volumeIn(request, p);
      const s = v?.snapshots.get(String(p.snapshot));
      return v && s ? ok(snapshotView(v, s, projectOf(request))) : error(404, "Storage pool volume not found");
    }),
    http.post(SNAPSHOTS, async ({ request, params: p }) => {
      const v = volumeIn(request, p);
      if (!v) return error(404, "Storage pool volume not found");
      const b = await json(request);
      const name = typeof b.name === "string" && b.name !== "" ? b.name : `snap${v.snapshots.size}`;
      if (name.includes("/")) return error(400, "Snapshot names may not contain slashes");
      if (v.snapshots.has(name)) return error(409, "Snapshot by that name already exists");
      const m = ctx.newOp("task", "Creating storage volume snapshot", {}, {});
      ctx.later(m, () => {
        // The snapshot takes the volume's description and config (a description given is ignored).
        v.snapshots.set(name, {
          name,
          description: v.description,
          config: { ...v.config },
          created_at: new Date().toISOString(),
          expires_at: typeof b.expires_at === "string" ? b.expires_at : "0001-01-01T00:00:00Z",
        });
        snapshotChanged("created", request, p, name);
        return undefined;
      });
      return ctx.accepted(m);
    }),
    http.post(SNAPSHOT, async ({ request, params: p }) => {
      const v = volumeIn(request, p);
      const s = v?.snapshots.get(String(p.snapshot));
      if (!v || !s) return error(404, "Storage pool volume not found");
      const b = await json(request);
      if (typeof b.name !== "string" || b.name === "") return error(400, "No name provided");
      if (v.snapshots.has(b.name)) return error(409, "Snapshot by that name already exists");
      const to = b.name;
      const m = ctx.newOp("task", "Renaming storage volume snapshot", {}, {});
      ctx.later(m, () => {
        v.snapshots.delete(s.name);
        v.snapshots.set(to, { ...s, name: to });
        snapshotChanged("renamed", request, p, to);
        return undefined;
      });
      return ctx.accepted(m);
    }),
    ...(["put", "patch"] as const).map((method) =>
      http[method](SNAPSHOT, async ({ request, params: p }) => {
        const v = volumeIn(request, p);
        const s = v?.snapshots.get(String(p.snapshot));
        if (!v || !s) return error(404, "Storage pool volume not found");
        const b = await json(request);
        if (typeof b.description === "string") s.description = b.description;
        else if (method === "put") s.description = "";
        if (typeof b.expires_at === "string") s.expires_at = b.expires_at;
        snapshotChanged("updated", request, p, s.name);
        return ok({});
      }),
    ),
    http.delete(SNAPSHOT, ({ request, params: p }) => {
      const v = volumeIn(request, p);
      const s = v?.snapshots.get(String(p.snapshot));
      if (!v || !s) return error(404, "Storage pool volume not found");
      const m = ctx.newOp("task", "Deleting storage volume snapshot", {}, {});
      ctx.later(m, () => {
        v.snapshots.delete(s.name);
        snapshotChanged("deleted", request, p, s.name);
        return undefined;
      });
      return ctx.accepted(m);
    }),
    ...pools.handlers,
    ...volumes.handlers,
  ];

  // The pool scripts/lxd-up.sh makes on the real servers.
  pools
    .items()
    .set("default", { name: "default", driver: "dir", description: "", config: { source: "/var/lib/lxd/storage-pools/default" } });

  return {
    handlers,
    /** Pools by name. */
    pools: () => pools.items(),
    /** A pool's volumes of one type in a project (default: `default`), by name; the project is listed from then on. */
    volumes: (pool: string, type = "custom", project = "default") => {
      projects.add(project);
      return store(project, pool, type);
    },
  };
}
