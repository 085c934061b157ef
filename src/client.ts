// The runtime-neutral client: every capability (capabilities.ts) on one object over the shared
// core (base.ts). Each entry point (Node, browser, Deno, Bun) only picks the default transport.
import type { Client } from "openapi-fetch";
import { createBase, type RemoteTransport } from "./base.js";
import {
  lxdApi,
  lxdCluster,
  lxdConsole,
  lxdEvents,
  lxdExec,
  lxdFiles,
  lxdImages,
  lxdInstances,
  lxdOperations,
  lxdRun,
  lxdServer,
  lxdTrack,
  lxdTrust,
} from "./capabilities.js";
import type { ClusterApi } from "./cluster.js";
import type { ConsoleApi } from "./console.js";
import type { EventsOptions, EventSubscription } from "./events.js";
import type { ExecOptions, ExecProcess } from "./exec.js";
import type { RunOptions, RunResult } from "./run.js";
import type { FilesApi } from "./files.js";
import type { paths } from "./generated/lxd.js";
import type { ImagesApi } from "./images.js";
import type { InstancesApi } from "./instances.js";
import type { LxdOperation } from "./operation.js";
import type { OperationsApi } from "./operations.js";
import type { ServerApi } from "./server.js";
import { createScope, type LxdScope } from "./scope.js";
import type { TrustApi } from "./trust.js";
import type { RemoteOptions, TransportFactory } from "./transport/types.js";
import type { WebSocketConstructor } from "./websocket.js";

export interface LxdOptions {
  /**
   * Named remotes. `local` needs no entry: it is the unix socket (or the page's origin). A
   * cluster's remote may list several member URLs (`url: [...]`): see docs/clusters.md.
   */
  remotes?: Record<string, RemoteOptions>;
  /** The remote used when a call names none. Default `local`. */
  defaultRemote?: string;
  /** Replaces the runtime's transport (tests, proxies, custom agents). */
  transport?: TransportFactory;
  /**
   * The WebSocket constructor for events and exec. Default: the transport's, which carries the
   * remote's TLS identity or socket path (pass `globalThis.WebSocket` for MSW's mocks).
   */
  WebSocket?: WebSocketConstructor;
  /**
   * Milliseconds an unused events socket stays open for the next operation (default 1000), so
   * sequential execs don't each pay a handshake. `close()` ends it at once; 0 disables it.
   */
  eventsLinger?: number;
}

export interface LxdOperations extends OperationsApi {
  /** A handle on an existing operation (refresh, cancel, wait, onUpdate). Nothing is sent. */
  track(remote: string | undefined, id: string, options?: { project?: string }): LxdOperation;
}

export interface Lxd {
  readonly defaultRemote: string;
  /** Configured remote names, `local` included. */
  readonly remotes: readonly string[];
  readonly operations: LxdOperations;
  /** Instances: list, get, create/launch, update/patch, rename, delete, state, snapshots. */
  readonly instances: InstancesApi;
  /** An instance's files: `pull` and `push` streamed both ways, `list`, `stat`, `delete`, `mkdir`, `symlink`. */
  readonly files: FilesApi;
  /** `console(remote, instance, { width, height })` attaches to the console; `console.log()` / `console.clearLog()`. */
  readonly console: ConsoleApi;
  /** Images: list, get, aliases, import (streamed), export (a stream), delete. */
  readonly images: ImagesApi;
  /** Trust tokens, enrolment with a token, trusted certificates. */
  readonly trust: TrustApi;
  /** The server's description (`GET /1.0`, asked once) and its API extensions. */
  readonly server: ServerApi;
  /** An LXD cluster's members and their state. */
  readonly cluster: ClusterApi;
  /** LXD's event stream; one socket per remote and scope, shared by every subscriber. */
  events(remote?: string, options?: EventsOptions): EventSubscription;
  /** Runs a command with streams (see ExecProcess). */
  exec(remote: string | undefined, instance: string, command: string[], options?: ExecOptions): Promise<ExecProcess>;
  /** Runs a command to completion and collects its output. */
  run(remote: string | undefined, instance: string, command: string[], options?: RunOptions): Promise<RunResult>;
  /** The typed openapi-fetch client of a remote, for endpoints without a helper yet. */
  api(remote?: string): Client<paths>;
  /** The same calls bound to one remote (default: `defaultRemote`); `.project(name)` scopes them to a project. */
  remote(name?: string): LxdScope;
  /** Closes every connection this client opened. */
  close(): Promise<void>;
}

export function createLxdClient(options: LxdOptions | undefined, defaultTransport: TransportFactory, clusters?: RemoteTransport): Lxd {
  const base = createBase(options, defaultTransport, clusters);
  const lxd: Lxd = {
    defaultRemote: base.defaultRemote,
    remotes: base.remotes,
    operations: { ...lxdOperations(base), track: lxdTrack(base) },
    instances: lxdInstances(base),
    files: lxdFiles(base),
    console: lxdConsole(base),
    images: lxdImages(base),
    trust: lxdTrust(base),
    server: lxdServer(base),
    cluster: lxdCluster(base),
    events: lxdEvents(base),
    exec: lxdExec(base),
    run: lxdRun(base),
    api: lxdApi(base),
    remote: (name) => createScope(lxd, base.resolve(name), undefined),
    close: () => base.close(),
  };
  return lxd;
}
