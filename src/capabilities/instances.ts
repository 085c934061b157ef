// Instances: list, get, create and launch, update and patch, rename, delete (stopping first when
// forced), state and state changes, and snapshots (snapshots.ts). Everything LXD runs as an
// operation returns an LxdOperation; every call takes the optional result mutator last.
import { syncMetadata } from "../request/envelope.js";
import { InvalidArgumentError, LxdError } from "../utils/errors.js";
import type { components } from "../generated/lxd.js";
import { type Args, call, type Call, type Flat, type Lead, type Mutator } from "./mutator.js";
import { startOperation, type LxdOperation, type StartDeps } from "./operation.js";
import { listQuery, namesOf } from "./listing.js";
import type { InfoCache } from "./server.js";
import { checkInstanceCall, projectQuery, type InstanceCallOptions } from "./instance-call.js";
import { createSnapshots, type SnapshotsApi } from "./snapshots.js";
import { createInstanceLogs, type InstanceLogsApi } from "./instance-logs.js";
import { createInstanceMetadata, type InstanceMetadataApi } from "./instance-metadata.js";
import { createRebuild, type RebuildCall } from "./instance-rebuild.js";
import { createSetAllStates, type SetAllStatesCall } from "./instances-bulk.js";
import { type Watch, watchCollection, type WatchOptions } from "./watch.js";
import type { Where } from "../request/pipeline.js";
import type { IncusInstanceStateFields } from "../types/incus.js";
import { checkBoolean, checkInt, checkSegment, checkText } from "../utils/validate.js";

type Schemas = components["schemas"];

/** LXD's InstanceState, plus what Incus 6.0 adds (`started_at`, `os_info`). */
export type InstanceState = Schemas["InstanceState"] & IncusInstanceStateFields;
export type InstanceStatePut = Schemas["InstanceStatePut"];
export type Instance = Schemas["Instance"];
/** What `recursion=1` on one instance, or `recursion=2` on the list, adds: state, snapshots, backups. */
export type InstanceFull = Schemas["InstanceFull"] & { state?: InstanceState | null };
export type InstancePut = Schemas["InstancePut"];
export type { InstanceCallOptions };

export interface InstanceListOptions extends InstanceCallOptions {
  /** 0 (default): names; 1: Instance objects; 2: with state, snapshots and backups. One request each. */
  recursion?: 0 | 1 | 2;
  /** LXD's filter expression, e.g. `status eq Running`. */
  filter?: string;
  /** Every project (extension `instance_all_projects`); excludes `project`. */
  allProjects?: boolean;
}

export type InstanceList<O> = O extends { recursion: 2 } ? InstanceFull[] : O extends { recursion: 1 } ? Instance[] : string[];

/** The image an instance is created from, on the server itself: an alias (a string), or a fingerprint. */
export type ImageRef = string | { alias: string } | { fingerprint: string };

export interface CreateOptions extends InstanceCallOptions {
  config?: Record<string, string>;
  devices?: Record<string, Record<string, string>>;
  profiles?: string[];
  ephemeral?: boolean;
  description?: string;
  /** `container` (default) or `virtual-machine`. */
  type?: "container" | "virtual-machine";
  /** The cluster member to place it on (`?target=`). */
  target?: string;
}

export interface DeleteOptions extends InstanceCallOptions {
  /** Stop it first (forcefully, awaited) if it is not stopped: LXD refuses to delete a running instance. */
  force?: boolean;
}

export interface InstancesApi<L extends Lead = Flat> {
  /** Names (default), or Instance objects with `recursion` 1 or 2, in one request. */
  list<R>(...a: Args<L, [mutator: Mutator<string[], R>]>): Promise<Awaited<R>>;
  list<const O extends InstanceListOptions = Record<never, never>>(...a: Args<L, [options?: O]>): Promise<InstanceList<O>>;
  list<const O extends InstanceListOptions, R>(...a: Args<L, [options: O, mutator: Mutator<InstanceList<O>, R>]>): Promise<Awaited<R>>;
  /**
   * The instances (the objects of `recursion=1`), kept current: the list, then each changed list,
   * from the lifecycle events (create, rename, state, delete…) and after an events reconnect.
   */
  watch(...a: Args<L, [options?: WatchOptions]>): Watch<Instance>;
  /** `GET /1.0/instances/{name}`; `full: true` adds state, snapshots and backups (`recursion=1`). */
  get: Call<[name: string], InstanceCallOptions & { full?: boolean }, InstanceFull, L>;
  /** `POST /1.0/instances` from an image on the server → the creating operation. */
  create: Call<[name: string, image: ImageRef], CreateOptions, LxdOperation, L>;
  /** create, then start, both awaited → the running instance. */
  launch: Call<[name: string, image: ImageRef], CreateOptions, Instance, L>;
  /** `PUT`: replaces the instance's configuration → the operation. */
  update: Call<[name: string, put: InstancePut], InstanceCallOptions, LxdOperation, L>;
  /** `PATCH`: merges the given fields into the configuration (answered at once). */
  patch: Call<[name: string, fields: InstancePut], InstanceCallOptions, void, L>;
  /** `POST {name}` → the operation. The instance must be stopped. */
  rename: Call<[name: string, newName: string], InstanceCallOptions, LxdOperation, L>;
  /** `DELETE` → the operation; `force` stops it first. */
  delete: Call<[name: string], DeleteOptions, LxdOperation, L>;
  /** `GET /1.0/instances/{name}/state`. */
  state: Call<[name: string], InstanceCallOptions, InstanceState, L>;
  /** Start, stop, restart, freeze or unfreeze → the operation (await `.wait()`). */
  setState: Call<[name: string, change: InstanceStatePut & { action: string }], InstanceCallOptions, LxdOperation, L>;
  readonly snapshots: SnapshotsApi<L>;
  /** An instance's log files: list, get, delete. */
  readonly logs: InstanceLogsApi<L>;
  /** An instance's image metadata (get, update) and its template files. */
  readonly metadata: InstanceMetadataApi<L>;
  /** `POST …/rebuild` from an image or empty (API extension "instances_rebuild") → the operation. */
  rebuild: RebuildCall<L>;
  /** `PUT /1.0/instances`: one state change for every instance of the project → the operation. */
  setAllStates: SetAllStatesCall<L>;
}

const ACTIONS = ["start", "stop", "restart", "freeze", "unfreeze"];
const STOPPED = 102;

function checkChange(change: InstanceStatePut): void {
  if (typeof change !== "object" || change === null || typeof change.action !== "string" || !ACTIONS.includes(change.action)) {
    throw new InvalidArgumentError(`instances.setState: action must be one of ${ACTIONS.join(", ")}`);
  }
  checkInt("instances.setState", "timeout", change.timeout, -1, 0x7fffffff);
  for (const k of ["force", "stateful"] as const) checkBoolean("instances.setState", k, change[k]);
}

function checkObject(where: string, what: string, v: unknown): void {
  if (typeof v !== "object" || v === null || Array.isArray(v)) throw new InvalidArgumentError(`${where}: ${what} must be an object`);
}

function checkStringMap(where: string, what: string, v: unknown): void {
  if (v === undefined) return;
  checkObject(where, what, v);
  for (const [k, x] of Object.entries(v as object)) {
    checkText(where, `${what} key`, k, { empty: false });
    checkText(where, `${what}.${k}`, x);
  }
}

function imageSource(where: string, image: ImageRef): { type: "image"; alias?: string; fingerprint?: string } {
  if (typeof image === "string") return { type: "image", alias: checkText(where, "image alias", image, { empty: false }) };
  checkObject(where, "image", image);
  if ("alias" in image) return { type: "image", alias: checkText(where, "image alias", image.alias, { empty: false }) };
  if ("fingerprint" in image) return { type: "image", fingerprint: checkSegment(where, "image fingerprint", image.fingerprint) };
  throw new InvalidArgumentError(`${where}: image must be an alias, { alias } or { fingerprint }`);
}

function createBody(where: string, name: string, image: ImageRef, o: CreateOptions) {
  checkStringMap(where, "config", o.config);
  if (o.devices !== undefined) {
    checkObject(where, "devices", o.devices);
    for (const [k, d] of Object.entries(o.devices)) checkStringMap(where, `devices.${k}`, d);
  }
  if (o.profiles !== undefined) {
    if (!Array.isArray(o.profiles)) throw new InvalidArgumentError(`${where}: profiles must be an array of names`);
    for (const p of o.profiles) checkSegment(where, "profile", p);
  }
  checkBoolean(where, "ephemeral", o.ephemeral);
  if (o.description !== undefined) checkText(where, "description", o.description);
  if (o.type !== undefined && o.type !== "container" && o.type !== "virtual-machine")
    throw new InvalidArgumentError(`${where}: type is "container" or "virtual-machine"`);
  if (o.target !== undefined) checkSegment(where, "target", o.target);
  return {
    name,
    source: imageSource(where, image),
    ...(o.config !== undefined && { config: o.config }),
    ...(o.devices !== undefined && { devices: o.devices }),
    ...(o.profiles !== undefined && { profiles: o.profiles }),
    ...(o.ephemeral !== undefined && { ephemeral: o.ephemeral }),
    ...(o.description !== undefined && { description: o.description }),
    ...(o.type !== undefined && { type: o.type }),
  };
}

export function createInstances(deps: StartDeps & { info: InfoCache }): InstancesApi {
  const { core } = deps;

  const list = call<[], InstanceListOptions, string[] | Instance[] | InstanceFull[]>("instances.list", 0, async (remote, _, o) => {
    if (o.recursion !== undefined && o.recursion !== 0 && o.recursion !== 1 && o.recursion !== 2)
      throw new InvalidArgumentError("instances.list: recursion is 0, 1 or 2");
    const query = await listQuery(deps, remote, o, "instances.list", "instance_all_projects", "api_filtering");
    const { recursion, signal } = o;
    if (!recursion) return namesOf(syncMetadata(await core.send(remote, "GET", "/1.0/instances", { params: { query }, signal })));
    return syncMetadata(await core.send(remote, "GET", "/1.0/instances", { params: { query: { ...query, recursion } }, signal }));
  });

  const get = call<[string], InstanceCallOptions & { full?: boolean }, InstanceFull>("instances.get", 1, async (remote, [name], o) => {
    checkInstanceCall("instances.get", name, o);
    checkBoolean("instances.get", "full", o.full);
    const query = { ...(o.full && { recursion: 1 as const }), ...projectQuery(o.project) };
    return syncMetadata(await core.send(remote, "GET", "/1.0/instances/{name}", { params: { path: { name }, query }, signal: o.signal }));
  });

  const create = call<[string, ImageRef], CreateOptions, LxdOperation>("instances.create", 2, async (remote, [name, image], o) => {
    checkInstanceCall("instances.create", name, o);
    const body = createBody("instances.create", name, image, o);
    return startOperation(deps, remote, "POST", "/1.0/instances", {
      body,
      signal: o.signal,
      project: o.project,
      ...(o.target !== undefined && { params: { query: { target: o.target } } }),
    });
  });

  const state = call<[string], InstanceCallOptions, InstanceState>("instances.state", 1, async (remote, [name], o) => {
    checkInstanceCall("instances.state", name, o);
    const sent = await core.send(remote, "GET", "/1.0/instances/{name}/state", {
      params: { path: { name }, query: projectQuery(o.project) },
      signal: o.signal,
    });
    return syncMetadata(sent);
  });

  const setState = call<[string, InstanceStatePut & { action: string }], InstanceCallOptions, LxdOperation>(
    "instances.setState",
    2,
    async (remote, [name, change], o) => {
      checkInstanceCall("instances.setState", name, o);
      checkChange(change);
      return startOperation(deps, remote, "PUT", "/1.0/instances/{name}/state", {
        params: { path: { name } },
        body: change,
        signal: o.signal,
        project: o.project,
      });
    },
  );

  const launch = call<[string, ImageRef], CreateOptions, Instance>("instances.launch", 2, async (remote, [name, image], o) => {
    await (await create(remote, name, image, o)).wait(o.signal ? { signal: o.signal } : {});
    await (await setState(remote, name, { action: "start" }, o)).wait(o.signal ? { signal: o.signal } : {});
    return get(remote, name, { ...(o.project !== undefined && { project: o.project }), ...(o.signal && { signal: o.signal }) });
  });

  const update = call<[string, InstancePut], InstanceCallOptions, LxdOperation>("instances.update", 2, async (remote, [name, put], o) => {
    checkInstanceCall("instances.update", name, o);
    checkObject("instances.update", "the configuration", put);
    return startOperation(deps, remote, "PUT", "/1.0/instances/{name}", {
      params: { path: { name } },
      body: put,
      signal: o.signal,
      project: o.project,
    });
  });

  const patch = call<[string, InstancePut], InstanceCallOptions, void>("instances.patch", 2, async (remote, [name, fields], o) => {
    checkInstanceCall("instances.patch", name, o);
    checkObject("instances.patch", "fields", fields);
    const sent = await core.send(remote, "PATCH", "/1.0/instances/{name}", {
      params: { path: { name }, query: projectQuery(o.project) },
      body: fields,
      signal: o.signal,
    });
    syncMetadata(sent);
  });

  const rename = call<[string, string], InstanceCallOptions, LxdOperation>("instances.rename", 2, async (remote, [name, newName], o) => {
    checkInstanceCall("instances.rename", name, o);
    checkSegment("instances.rename", "new name", newName);
    return startOperation(deps, remote, "POST", "/1.0/instances/{name}", {
      params: { path: { name } },
      body: { name: newName },
      signal: o.signal,
      project: o.project,
    });
  });

  const remove = call<[string], DeleteOptions, LxdOperation>("instances.delete", 1, async (remote, [name], o) => {
    checkInstanceCall("instances.delete", name, o);
    checkBoolean("instances.delete", "force", o.force);
    const scope = { ...(o.project !== undefined && { project: o.project }), ...(o.signal && { signal: o.signal }) };
    if (o.force && (await state(remote, name, scope)).status_code !== STOPPED) {
      try {
        await (await setState(remote, name, { action: "stop", force: true }, scope)).wait(o.signal ? { signal: o.signal } : {});
      } catch (err) {
        // It stopped by itself meanwhile ("already stopped"); any other refusal shows again in DELETE.
        if (!(err instanceof LxdError && err.status === 400)) throw err;
      }
    }
    return startOperation(deps, remote, "DELETE", "/1.0/instances/{name}", {
      params: { path: { name } },
      signal: o.signal,
      project: o.project,
    });
  });

  const watch = (remote: Where, o?: WatchOptions): Watch<Instance> =>
    watchCollection(
      deps,
      remote,
      "instances.watch",
      "/1.0/instances",
      o,
      (lo) => list(remote, { ...lo, recursion: 1 }) as Promise<Instance[]>,
    );

  return {
    list: list as InstancesApi["list"],
    watch,
    get,
    create,
    launch,
    update,
    patch,
    rename,
    delete: remove,
    state,
    setState,
    snapshots: createSnapshots(deps),
    logs: createInstanceLogs(deps),
    metadata: createInstanceMetadata(deps),
    rebuild: createRebuild(deps),
    setAllStates: createSetAllStates(deps),
  };
}
