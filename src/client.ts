// The runtime-neutral client: remotes and their transports, and the API modules wired onto the
// request core. Each entry point (Node, browser) only picks the default transport.
import createClient, { type Client } from "openapi-fetch";
import { createCore, type Core } from "./core.js";
import { InvalidArgumentError } from "./errors.js";
import { Gate } from "./gate.js";
import { EventHub, subscribe, type EventsOptions, type EventSubscription } from "./events.js";
import { exec, run, type ExecOptions, type ExecProcess, type RunOptions, type RunResult } from "./exec.js";
import type { paths } from "./generated/lxd.js";
import { createInstances, type InstancesApi } from "./instances.js";
import { LxdOperation, type StartDeps } from "./operation.js";
import { createOperations, operationId, type OperationsApi } from "./operations.js";
import { createFeatures, type ServerApi } from "./server.js";
import type { RemoteConfig, Transport, TransportFactory } from "./transport/types.js";
import { checkFunction, checkMs, checkOptions, checkSegment, checkText } from "./validate.js";
import type { WebSocketConstructor } from "./websocket.js";

export type { Core, SendInit, Sent } from "./core.js";

export interface LxdOptions {
  /** Named remotes. `local` needs no entry: it is the unix socket (or the page's origin). */
  remotes?: Record<string, RemoteConfig>;
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
  readonly instances: InstancesApi;
  /** The server's description (`GET /1.0`, asked once) and its API extensions. */
  readonly server: ServerApi;
  /** LXD's event stream; one socket per remote and scope, shared by every subscriber. */
  events(remote?: string, options?: EventsOptions): EventSubscription;
  /** Runs a command with streams (see ExecProcess). */
  exec(remote: string | undefined, instance: string, command: string[], options?: ExecOptions): Promise<ExecProcess>;
  /** Runs a command to completion and collects its output. */
  run(remote: string | undefined, instance: string, command: string[], options?: RunOptions): Promise<RunResult>;
  /** The typed openapi-fetch client of a remote, for endpoints without a helper yet. */
  api(remote?: string): Client<paths>;
  /** Closes every connection this client opened. */
  close(): Promise<void>;
}

interface Connection {
  transport: Transport;
  api: Client<paths>;
}

export function createLxdClient(given: LxdOptions | undefined, defaultTransport: TransportFactory): Lxd {
  const options = checkOptions("createLxd", given);
  const configs = { ...checkOptions("createLxd", options.remotes) };
  for (const [name, config] of Object.entries(configs)) checkRemote(name, config);
  if (options.defaultRemote !== undefined) checkText("createLxd", "defaultRemote", options.defaultRemote, { empty: false });
  checkMs("createLxd", "eventsLinger", options.eventsLinger);
  checkFunction("createLxd", "transport", options.transport);
  checkFunction("createLxd", "WebSocket", options.WebSocket);
  const names = [...new Set(["local", ...Object.keys(configs)])];
  const defaultRemote = options.defaultRemote ?? "local";
  if (!names.includes(defaultRemote)) throw new InvalidArgumentError(`defaultRemote "${defaultRemote}" is not a configured remote`);
  const factory = options.transport ?? defaultTransport;
  // Built up front so a bad URL or fingerprint fails here; no connection is opened yet.
  const connections = new Map<string, Connection>(
    names.map((name) => {
      const transport = factory(name, configs[name]);
      return [name, { transport, api: createClient<paths>({ baseUrl: transport.baseUrl, fetch: (r) => transport.fetch(r) }) }];
    }),
  );

  const resolve = (remote: string | undefined): string => {
    const name = remote ?? defaultRemote;
    if (typeof name !== "string" || !names.includes(name)) {
      throw new InvalidArgumentError(`unknown remote ${JSON.stringify(name)} (configured: ${names.join(", ")})`);
    }
    return name;
  };
  const connect = (remote: string | undefined): Connection => {
    const conn = connections.get(resolve(remote));
    if (!conn) throw new InvalidArgumentError("this client is closed");
    return conn;
  };

  const core: Core = createCore(resolve, (name) => connect(name).transport);
  const baseUrl = (remote: string) => connect(remote).transport.baseUrl;
  const webSocket = (remote: string) => {
    const Ctor = options.WebSocket;
    return Ctor ? (url: string) => new Ctor(url) : connect(remote).transport.webSocket;
  };
  const hub = new EventHub(baseUrl, webSocket, options.eventsLinger ?? 1000);
  const features = createFeatures(core);
  const operations = createOperations(core, features);
  const deps: StartDeps = { core, hub, operations };
  const gates = new Map<string, Gate>();
  const connecting = async (remote: string, signal?: AbortSignal) => {
    const limit = connect(remote).transport.maxConnecting;
    if (limit === undefined) return () => undefined;
    let gate = gates.get(remote);
    if (!gate) gates.set(remote, (gate = new Gate(limit)));
    return gate.enter(`exec on "${remote}"`, signal);
  };
  const execDeps = { ...deps, baseUrl, webSocket, connecting };

  return {
    defaultRemote,
    remotes: names,
    operations: {
      ...operations,
      track: (remote, id, opts) => {
        const { project } = checkOptions("track", opts);
        if (project !== undefined) checkSegment("track", "project", project);
        return new LxdOperation({ hub, operations, remote: resolve(remote), project }, pendingOperation(operationId(id)));
      },
    },
    instances: createInstances(deps),
    server: { info: features.info, supports: features.supports },
    events: (remote, opts) => subscribe(hub, resolve(remote), opts),
    exec: (remote, instance, command, opts) => exec(execDeps, remote, instance, command, opts),
    run: (remote, instance, command, opts) => run(execDeps, remote, instance, command, opts),
    api: (remote) => connect(remote).api,
    async close() {
      const all = [...connections.values()];
      connections.clear();
      hub.closeAll();
      await Promise.all(all.map((c) => c.transport.close()));
    },
  };
}

/** A remote's shape; each transport checks the contents (URL, certificates, fingerprint). */
function checkRemote(name: string, config: unknown): void {
  const c = config as Partial<Record<"url" | "socket" | "cert" | "key" | "ca" | "fingerprint", unknown>> | null;
  if (typeof c !== "object" || c === null || (typeof c.url !== "string") === (typeof c.socket !== "string")) {
    throw new InvalidArgumentError(`remote "${name}": give either \`url\` (HTTPS) or \`socket\` (a unix socket path)`);
  }
  for (const k of ["url", "socket", "cert", "key", "ca", "fingerprint"] as const) if (c[k] !== undefined) checkText(`remote "${name}"`, k, c[k], { empty: false });
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
