// The shared core every capability runs on: remotes, their transports and the request core,
// and nothing else, so an app that imports one capability bundles only that one (docs/web-apps.md).
// Capabilities that keep per-client state (the events hub, the openapi-fetch clients) attach it
// with `shared()`, which `close()` also ends.
import { createCore, type Core } from "../request/core.js";
import { createPipeline, type Where } from "../request/pipeline.js";
import { InvalidArgumentError } from "../utils/errors.js";
import type { LxdOptions } from "./options.js";
import type { RemoteOptions, Transport, TransportFactory } from "../transport/types.js";
import type { Authorize } from "../transport/authorized.js";
import type { RemoteAuth } from "../auth/types.js";
import { checkFunction, checkMs, checkOptions, checkText } from "../utils/validate.js";

export interface LxdBase {
  readonly defaultRemote: string;
  /** Configured remote names, `local` included. */
  readonly remotes: readonly string[];
  /** The options the client was created with. */
  readonly options: Readonly<LxdOptions>;
  /** Every helper's request goes through it. */
  readonly core: Core;
  /** The remote's name, `defaultRemote` for undefined; throws InvalidArgumentError if unknown. */
  resolve(where: Where): string;
  /** The remote's transport; throws once the client is closed. */
  transport(where: Where): Transport;
  baseUrl(where: Where): string;
  /** State a capability keeps per client, made on first use; `dispose` runs at `close()`. */
  shared<T>(key: object, make: () => T, dispose?: (value: T) => void): T;
  /** Closes every connection of this client. */
  close(): Promise<void>;
}

/** Builds a remote's transport from `factory`, for one URL or a cluster's member URLs (transport/failover.ts). */
export type RemoteTransport = (factory: TransportFactory, name: string, config: RemoteOptions | undefined) => Transport;

/**
 * `clusters` is the failover over member URLs; the browser's per-capability base leaves it out
 * (about 0.7 KB gzip), and then a remote with a list of URLs is refused.
 */
/**
 * `authorize` puts a remote's `auth` (a bearer, an OIDC sign-in) on its transport; the browser's
 * entry has none (a browser's WebSocket cannot carry a bearer; pages sign in with the server's
 * cookie flow) and refuses remotes with `auth`.
 */
export function createBase(
  given: LxdOptions | undefined,
  defaultTransport: TransportFactory,
  clusters?: RemoteTransport,
  authorize?: Authorize,
): LxdBase {
  const options = checkOptions("createLxd", given);
  const configs = { ...checkOptions("createLxd", options.remotes) };
  for (const [name, config] of Object.entries(configs)) checkRemote(name, config);
  if (options.defaultRemote !== undefined) checkText("createLxd", "defaultRemote", options.defaultRemote, { empty: false });
  checkMs("createLxd", "eventsLinger", options.eventsLinger);
  checkFunction("createLxd", "transport", options.transport);
  checkFunction("createLxd", "WebSocket", options.WebSocket);
  const hooks = checkOptions("createLxd", options.hooks);
  for (const k of ["beforeRequest", "afterResponse"] as const) {
    const list: unknown = hooks[k];
    if (list !== undefined && !(Array.isArray(list) && list.every((f) => typeof f === "function"))) {
      throw new InvalidArgumentError(`createLxd: hooks.${k} must be an array of functions`);
    }
  }
  const names = [...new Set(["local", ...Object.keys(configs)])];
  const defaultRemote = options.defaultRemote ?? "local";
  if (!names.includes(defaultRemote)) throw new InvalidArgumentError(`defaultRemote "${defaultRemote}" is not a configured remote`);
  const factory = options.transport ?? defaultTransport;
  // Built up front so a bad URL or fingerprint fails here; no connection is opened yet.
  const build: RemoteTransport =
    clusters ??
    ((f, name, config) => {
      if (config && "url" in config && Array.isArray(config.url)) {
        throw new InvalidArgumentError(`remote "${name}": a list of member URLs needs createLxd() (this base has no cluster failover)`);
      }
      return f(name, config as Parameters<TransportFactory>[1]);
    });
  const transports = new Map<string, Transport>(
    names.map((name) => {
      const t = build(factory, name, configs[name]);
      const auth = (configs[name] as { auth?: RemoteAuth } | undefined)?.auth;
      if (auth === undefined) return [name, t];
      if (!authorize) throw new InvalidArgumentError(`remote "${name}": auth is not available here`);
      return [name, authorize(t, name, auth, configs[name])];
    }),
  );
  const state = new Map<object, { value: unknown; dispose: ((value: never) => void) | undefined }>();

  const named = (remote: string | undefined): string => {
    const name = remote ?? defaultRemote;
    if (typeof name !== "string" || !names.includes(name)) {
      throw new InvalidArgumentError(`unknown remote ${JSON.stringify(name)} (configured: ${names.join(", ")})`);
    }
    return name;
  };
  const pipeline = createPipeline(
    named,
    (name) => {
      const t = transports.get(name);
      if (!t) throw new InvalidArgumentError("this client is closed");
      return t;
    },
    hooks,
  );
  const { resolve, transport } = pipeline;

  return {
    defaultRemote,
    remotes: names,
    options,
    core: createCore(pipeline),
    resolve,
    transport,
    baseUrl: (where) => transport(where).baseUrl,
    shared<T>(key: object, make: () => T, dispose?: (value: T) => void): T {
      let entry = state.get(key);
      if (!entry) state.set(key, (entry = { value: make(), dispose }));
      return entry.value as T;
    },
    async close() {
      const all = [...transports.values()];
      transports.clear();
      for (const { value, dispose } of state.values()) dispose?.(value as never);
      state.clear();
      await Promise.all(all.map((t) => t.close()));
    },
  };
}

/** A remote's shape; each transport checks the contents (URL, certificates, fingerprint). */
function checkRemote(name: string, config: unknown): void {
  const c = config as Partial<Record<"url" | "socket" | "cert" | "key" | "ca" | "fingerprint", unknown>> | null;
  const hasUrl = typeof c?.url === "string" || Array.isArray(c?.url);
  if (typeof c !== "object" || c === null || !hasUrl === (typeof c.socket !== "string")) {
    throw new InvalidArgumentError(
      `remote "${name}": give either \`url\` (HTTPS, or a cluster's member URLs) or \`socket\` (a unix socket path)`,
    );
  }
  // A list of member URLs is checked by the failover that takes it (transport/failover.ts).
  for (const k of ["socket", "cert", "key", "ca", "fingerprint", ...(Array.isArray(c.url) ? [] : ["url" as const])] as const)
    if (c[k] !== undefined) checkText(`remote "${name}"`, k, c[k], { empty: false });
}
