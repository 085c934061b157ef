// Each capability as its own function over the shared core (base.ts), in the flat form (the
// remote first): an app imports the ones it uses and the bundler drops the rest; the registry
// (registry.ts) puts them all on a client and, bound to a scope, on every connection.
//   const base = createLxdBase();                 // from "lxd-fetch", as createLxd()
//   const ops = await lxdOperations(base).list(); // bundles operations only
import createClient, { type Client } from "openapi-fetch";
import type { LxdBase } from "./base.js";
import { webSocketOf } from "./web-socket.js";
import { forward } from "../request/forward.js";
import { createCluster, type ClusterApi } from "../capabilities/cluster.js";
import { type ConsoleApi, createConsole } from "../capabilities/exec/console.js";
import { EventHub, subscribe, type EventsOptions, type EventSubscription } from "../capabilities/events.js";
import { Gate } from "../streams/gate.js";
import { exec, type ExecDeps, type ExecOptions, type ExecProcess } from "../capabilities/exec/exec.js";
import { run, type RunOptions, type RunResult } from "../capabilities/exec/run.js";
import type { paths } from "../generated/lxd.js";
import type { PathsWith } from "../request/core.js";
import { createFiles, type FilesApi } from "../capabilities/files.js";
import { createImages, type ImagesApi } from "../capabilities/images.js";
import { createInstances, type InstancesApi } from "../capabilities/instances.js";
import { LxdOperation, type StartDeps } from "../capabilities/operation.js";
import { createOperations, listOperations, operationId, type OperationsApi } from "../capabilities/operations.js";
import { createInfoCache, serverApi, type InfoCache, type ServerApi } from "../capabilities/server.js";
import { serverWrites } from "../capabilities/server-writes.js";
import { createTrust, type TrustApi } from "../capabilities/trust.js";
import {
  collectionGet,
  collectionList,
  type CollectionApi,
  type Family,
  type FamilyDeps,
  type ReadDeps,
} from "../capabilities/collection.js";
import type { Args, Flat, Lead } from "../capabilities/mutator.js";
import { checkOptions, checkSegment } from "../utils/validate.js";

// Keys of the per-client state in LxdBase.shared.
const HUB = {};
const OPERATIONS = {};
const API = {};
const GATES = {};
const FEATURES = {};

/** GET /1.0 per remote, asked once: what feature detection reads. */
function infoCache(base: LxdBase): InfoCache {
  return base.shared(FEATURES, () => createInfoCache(base.core));
}

/** The server's description (`GET /1.0`) and whether it has an API extension. */
export function lxdServer(base: LxdBase): ServerApi {
  return serverApi(infoCache(base), base.core, serverWrites(helperDeps(base), infoCache(base)));
}

/** A cluster's members and their state: plain requests. */
export function lxdCluster(base: LxdBase): ClusterApi {
  return createCluster(helperDeps(base));
}

/** list, info, delete/cancel, wait: plain requests, no websocket. */
export function lxdOperations(base: LxdBase): OperationsApi {
  return base.shared(OPERATIONS, () => createOperations(base.core, infoCache(base)));
}

/**
 * `operations.list` alone: a page that only lists operations bundles none of the other calls
 * (docs/web-apps.md, "Paying only for what the page uses").
 */
export function lxdListOperations(base: LxdBase): OperationsApi["list"] {
  return listOperations(base.core, infoCache(base));
}

/** The client's events hub: one socket per remote and scope, shared by every consumer. */
function hub(base: LxdBase): EventHub {
  return base.shared(
    HUB,
    () => new EventHub(base.baseUrl, webSocketOf(base), base.options.eventsLinger ?? 1000),
    (h) => h.closeAll(),
  );
}

/** Waits for a place among the execs of `remote` connecting at once, if its transport limits them. */
function connecting(base: LxdBase): ExecDeps["connecting"] {
  const gates = base.shared(GATES, () => new Map<string, Gate>());
  return async (remote, signal) => {
    const limit = base.transport(remote).maxConnecting;
    if (limit === undefined) return () => undefined;
    let gate = gates.get(remote);
    if (!gate) gates.set(remote, (gate = new Gate(limit)));
    return gate.enter(`exec on "${remote}"`, signal);
  };
}

function startDeps(base: LxdBase): ExecDeps & StartDeps {
  return {
    core: base.core,
    hub: hub(base),
    operations: lxdOperations(base),
    baseUrl: base.baseUrl,
    webSocket: webSocketOf(base),
    connecting: connecting(base),
  };
}

/** A handle on an existing operation (refresh, cancel, wait, onUpdate). Nothing is sent. */
export type TrackCall<L extends Lead = Flat> = (...a: Args<L, [id: string, options?: { project?: string }]>) => LxdOperation;
/** LXD's event stream as async iterables. */
export type EventsCall<L extends Lead = Flat> = (...a: Args<L, [options?: EventsOptions]>) => EventSubscription;
/** Runs a command with streams (see ExecProcess). */
export type ExecCall<L extends Lead = Flat> = (
  ...a: Args<L, [instance: string, command: string[], options?: ExecOptions]>
) => Promise<ExecProcess>;
/** Runs a command to completion and collects its output. */
export type RunCall<L extends Lead = Flat> = (
  ...a: Args<L, [instance: string, command: string[], options?: RunOptions]>
) => Promise<RunResult>;

/** The operations calls and `track`. */
export type LxdOperations<L extends Lead = Flat> = OperationsApi<L> & { track: TrackCall<L> };

export function lxdTrack(base: LxdBase): TrackCall {
  return (where, id, opts) => {
    const { project } = checkOptions("operations.track", opts);
    if (project !== undefined) checkSegment("operations.track", "project", project);
    const scope = base.core.scope(where);
    return new LxdOperation(
      { hub: hub(base), operations: lxdOperations(base), remote: scope.remote, project: project ?? scope.project },
      pendingOperation(operationId(id)),
      (metadata) => metadata,
    );
  };
}

/** The operations calls with `track`: the registry's `operations`. */
export function lxdOperationsAndTrack(base: LxdBase): LxdOperations {
  return { ...lxdOperations(base), track: lxdTrack(base) };
}

/** LXD's event stream as async iterables; a connection's project unless the call names its own or all. */
export function lxdEvents(base: LxdBase): EventsCall {
  return (where, opts) => {
    const { remote, project } = base.core.scope(where);
    const scoped = project === undefined || opts?.project !== undefined || opts?.allProjects ? opts : { ...opts, project };
    return subscribe(hub(base), remote, scoped);
  };
}

/** Commands with streams. */
export function lxdExec(base: LxdBase): ExecCall {
  return (where, instance, command, opts) => exec(startDeps(base), where, instance, command, opts);
}

/** Commands run to completion, output collected. */
export function lxdRun(base: LxdBase): RunCall {
  return (where, instance, command, opts) => run(startDeps(base), where, instance, command, opts);
}

/** What helpers that start operations and read features are built on; the hub is made on first use. */
function helperDeps(base: LxdBase): StartDeps & { info: InfoCache; operations: OperationsApi } {
  return {
    core: base.core,
    get hub() {
      return hub(base);
    },
    operations: lxdOperations(base),
    info: infoCache(base),
  };
}

/** A family's factory over the shared core: what a registry entry of a family file is. */
export const family =
  <T>(make: (deps: FamilyDeps) => T) =>
  (base: LxdBase): T =>
    base.shared(make, () => make(helperDeps(base)));

/** What a family's reads need: the core and the server's extensions, not operations or events. */
const readDeps = (base: LxdBase): ReadDeps => ({ core: base.core, info: infoCache(base) });

/**
 * A family's `list` alone (`lxdList(base, networksFamily)`): a page that only reads a family
 * bundles none of its writes, nor the operations and events they can return.
 */
export function lxdList<List extends PathsWith<"GET">, Item extends PathsWith<"GET">, Parents extends string[]>(
  base: LxdBase,
  family: Family<List, Item, Parents>,
): CollectionApi<List, Item, Parents>["list"] {
  return collectionList(readDeps(base), family);
}

/** A family's `get` alone, as `lxdList`. */
export function lxdGet<List extends PathsWith<"GET">, Item extends PathsWith<"GET">, Parents extends string[]>(
  base: LxdBase,
  family: Family<List, Item, Parents>,
): CollectionApi<List, Item, Parents>["get"] {
  return collectionGet(readDeps(base), family);
}

/** Instances: list, get, create/launch, update, rename, delete, state, snapshots. */
export function lxdInstances(base: LxdBase): InstancesApi {
  return createInstances(helperDeps(base));
}

/** Images: list, get, aliases, import (streamed), export (a stream), delete. */
export function lxdImages(base: LxdBase): ImagesApi {
  return createImages(helperDeps(base));
}

/** Trust: tokens, enrolment with a token, trusted certificates. */
export function lxdTrust(base: LxdBase): TrustApi {
  return createTrust(helperDeps(base));
}

/** An instance's files: pull and push streamed, list, stat, delete, mkdir, symlink. */
export function lxdFiles(base: LxdBase): FilesApi {
  return createFiles(base.core);
}

/** An instance's console (a bidirectional stream with resize and close) and its log. */
export function lxdConsole(base: LxdBase): ConsoleApi {
  return createConsole(startDeps(base));
}

/** The typed openapi-fetch client of a remote or scope, for any endpoint of the API description. */
export type ApiCall<L extends Lead = Flat> = (...a: Args<L, []>) => Client<paths>;

/**
 * openapi-fetch over the request pipeline: the scope's project and target and the user's hooks
 * apply to its requests as to every other. One client per remote and scope.
 */
export function lxdApi(base: LxdBase): ApiCall {
  const clients = base.shared(API, () => new Map<string, Client<paths>>());
  return (where) => {
    const scope = base.core.scope(where);
    const key = JSON.stringify([scope.remote, scope.project, scope.target]);
    let c = clients.get(key);
    if (!c) {
      const baseUrl = base.transport(scope.remote).baseUrl;
      clients.set(key, (c = createClient<paths>({ baseUrl, fetch: (request) => forward(base.core, scope, request) })));
    }
    return c;
  };
}

/** A placeholder state for a tracked operation until the first refresh or event. */
function pendingOperation(id: string) {
  return {
    id,
    class: "task" as const,
    description: "",
    created_at: "",
    updated_at: "",
    status: "Unknown",
    status_code: 105 as const, // Pending: not final, so wait() asks LXD
    resources: null,
    metadata: null,
    may_cancel: false,
    err: "",
    location: "",
  };
}
