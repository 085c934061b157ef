// Each capability as its own function over the shared core (base.ts): an app imports the ones it
// uses and the bundler drops the rest; `createLxd()` is all of them on one object.
//   const base = createLxdBase();                 // from "lxd-fetch", as createLxd()
//   const ops = await lxdOperations(base).list(); // bundles operations only
import createClient, { type Client } from "openapi-fetch";
import type { LxdBase } from "./base.js";
import { createCluster, type ClusterApi } from "./cluster.js";
import { type ConsoleApi, createConsole } from "./console.js";
import { EventHub, subscribe, type EventsOptions, type EventSubscription } from "./events.js";
import { Gate } from "./gate.js";
import { exec, type ExecDeps, type ExecOptions, type ExecProcess } from "./exec.js";
import { run, type RunOptions, type RunResult } from "./run.js";
import type { paths } from "./generated/lxd.js";
import { createFiles, type FilesApi } from "./files.js";
import { createImages, type ImagesApi } from "./images.js";
import { createInstances, type InstancesApi } from "./instances.js";
import { LxdOperation, type StartDeps } from "./operation.js";
import { createOperations, operationId, type OperationsApi } from "./operations.js";
import { createInfoCache, serverApi, type InfoCache, type ServerApi } from "./server.js";
import { createTrust, type TrustApi } from "./trust.js";
import { checkOptions, checkSegment } from "./validate.js";

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
  return serverApi(infoCache(base));
}

/** A cluster's members and their state: plain requests. */
export function lxdCluster(base: LxdBase): ClusterApi {
  return createCluster(base.core);
}

/** list, info, delete/cancel, wait: plain requests, no websocket. */
export function lxdOperations(base: LxdBase): OperationsApi {
  return base.shared(OPERATIONS, () => createOperations(base.core, infoCache(base)));
}

/** The client's events hub: one socket per remote and scope, shared by every consumer. */
function hub(base: LxdBase): EventHub {
  return base.shared(
    HUB,
    () => new EventHub(base.baseUrl, base.webSocket, base.options.eventsLinger ?? 1000),
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
    webSocket: base.webSocket,
    connecting: connecting(base),
  };
}

/** A handle on an existing operation (refresh, cancel, wait, onUpdate). Nothing is sent. */
export function lxdTrack(base: LxdBase): (remote: string | undefined, id: string, options?: { project?: string }) => LxdOperation {
  return (remote, id, opts) => {
    const { project } = checkOptions("track", opts);
    if (project !== undefined) checkSegment("track", "project", project);
    return new LxdOperation(
      { hub: hub(base), operations: lxdOperations(base), remote: base.resolve(remote), project },
      pendingOperation(operationId(id)),
      (metadata) => metadata,
    );
  };
}

/** LXD's event stream as async iterables. */
export function lxdEvents(base: LxdBase): (remote?: string, options?: EventsOptions) => EventSubscription {
  return (remote, opts) => subscribe(hub(base), base.resolve(remote), opts);
}

/** Commands with streams. */
export function lxdExec(
  base: LxdBase,
): (remote: string | undefined, instance: string, command: string[], options?: ExecOptions) => Promise<ExecProcess> {
  return (remote, instance, command, opts) => exec(startDeps(base), remote, instance, command, opts);
}

/** Commands run to completion, output collected. */
export function lxdRun(
  base: LxdBase,
): (remote: string | undefined, instance: string, command: string[], options?: RunOptions) => Promise<RunResult> {
  return (remote, instance, command, opts) =>
    run({ ...startDeps(base), resolve: base.resolve, transport: base.transport }, remote, instance, command, opts);
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

/** Instances: list, get, create/launch, update, rename, delete, state, snapshots. */
export function lxdInstances(base: LxdBase): InstancesApi {
  return createInstances(helperDeps(base));
}

/** Images: list, get, aliases, import (streamed), export (a stream), delete. */
export function lxdImages(base: LxdBase): ImagesApi {
  // Object.assign keeps helperDeps' hub a getter (a spread would make the hub at once).
  return createImages(Object.assign(helperDeps(base), { transport: (remote: string | undefined) => base.transport(remote) }));
}

/** Trust: tokens, enrolment with a token, trusted certificates. */
export function lxdTrust(base: LxdBase): TrustApi {
  return createTrust(helperDeps(base));
}

/** An instance's files: pull and push streamed, list, stat, delete, mkdir, symlink. */
export function lxdFiles(base: LxdBase): FilesApi {
  return createFiles({ resolve: base.resolve, transport: base.transport });
}

/** An instance's console (a bidirectional stream with resize and close) and its log. */
export function lxdConsole(base: LxdBase): ConsoleApi {
  return createConsole({ ...startDeps(base), resolve: base.resolve, transport: base.transport });
}

/** The typed openapi-fetch client of a remote, for endpoints without a helper yet. */
export function lxdApi(base: LxdBase): (remote?: string) => Client<paths> {
  const clients = base.shared(API, () => new Map<string, Client<paths>>());
  return (remote) => {
    const t = base.transport(remote);
    const name = base.resolve(remote);
    let c = clients.get(name);
    if (!c) clients.set(name, (c = createClient<paths>({ baseUrl: t.baseUrl, fetch: (r) => t.fetch(r) })));
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
