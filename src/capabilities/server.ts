// The server's own description (GET /1.0), asked once per remote: feature detection reads its
// `api_extensions`, never a version string, so LXD, newer LXD and Incus are told apart by what
// they can do. Split so that a helper that only needs the check (operations) bundles the small
// cache, not the public API's input checks.
import type { Core } from "../request/core.js";
import { type Args, call, type Call, type Flat, type Lead } from "./mutator.js";
import type { Where } from "../request/pipeline.js";
import { syncMetadata } from "../request/envelope.js";
import { InvalidArgumentError, UnsupportedError } from "../utils/errors.js";
import type { components } from "../generated/lxd.js";
import type { Operation } from "../types/lxd.js";
import { checkBoolean, checkOptions, checkSegment, checkSignal, checkText } from "../utils/validate.js";

type Schemas = components["schemas"];

/**
 * `GET /1.0`: LXD's `Server`, which Incus answers in the same shape. `environment.server` names
 * the implementation ("lxd", "incus"); it is for display, not for deciding what to send.
 */
export type ServerInfo = Schemas["Server"] & { environment?: Schemas["ServerEnvironment"] };

/** The server's configuration: every value a string (LXD and Incus take no other). */
export type ServerConfig = Record<string, string>;
/** `GET /1.0/resources`: the host's CPUs, memory, GPUs, NICs, disks, USB and PCI devices. */
export type ServerResources = Schemas["Resources"];

export interface ServerCallOptions {
  /** The cluster member to ask or change (member-specific keys such as `core.https_address`). */
  target?: string;
  signal?: AbortSignal;
}

/**
 * The operation a newer server runs a config write as: an LxdOperation (operation.ts), described
 * here by what a caller uses of it, since this file is below the operations code.
 */
export interface ServerWriteOperation {
  readonly id: string;
  readonly remote: string;
  /** The final Operation on Success; rejects as LxdOperation.wait does. */
  wait(options?: { timeout?: number; signal?: AbortSignal }): Promise<Operation>;
}

/** A write of the server's config or of a cluster member. */
export interface ServerWriteOptions extends ServerCallOptions {
  /**
   * Where the server runs the write as an operation (LXD 6.8+, newer Incus), wait for it to end
   * (rejecting as it fails) and resolve undefined; otherwise the operation is the answer.
   */
  wait?: boolean;
}

export interface ServerInfoOptions {
  /** Ask the server again instead of using the answer kept from the first call. */
  refresh?: boolean;
  signal?: AbortSignal;
}

export interface ServerApi<L extends Lead = Flat> {
  /** `GET /1.0` of a remote (trusted or not), asked once and kept for this client's life. */
  info(...a: Args<L, [options?: ServerInfoOptions]>): Promise<ServerInfo>;
  /** Whether the server lists `extension` in its `api_extensions`. */
  supports(...a: Args<L, [extension: string, options?: { signal?: AbortSignal }]>): Promise<boolean>;
  /** Rejects with UnsupportedError naming the first of `extensions` the server lacks (the check every family makes). */
  require(...a: Args<L, [extensions: string | readonly string[], options?: { signal?: AbortSignal }]>): Promise<void>;
  /** The server's configuration (`GET /1.0`, asked now: not the kept answer of `info`). */
  config: Call<[], ServerCallOptions, ServerConfig, L>;
  /**
   * `PUT /1.0`: replaces the configuration; a key left out is unset. Undefined when done at once
   * (LXD 5.0, Incus 6.0), else the operation a newer server runs it as (see `wait`).
   */
  updateConfig: Call<[config: ServerConfig], ServerWriteOptions, ServerWriteOperation | undefined, L>;
  /** `PATCH /1.0`: sets the keys given; an empty string unsets a key. Answered as `updateConfig` is. */
  patchConfig: Call<[config: ServerConfig], ServerWriteOptions, ServerWriteOperation | undefined, L>;
  /** `GET /1.0/resources`: the host's hardware, as `lxc info --resources` shows it. */
  resources: Call<[], ServerCallOptions, ServerResources, L>;
}

/** `GET /1.0` of a remote, kept per remote name; a failed answer is not kept. */
export type InfoCache = (remote: Where, refresh?: boolean, signal?: AbortSignal) => Promise<ServerInfo>;

export function createInfoCache(core: Core): InfoCache {
  const kept = new Map<string, Promise<ServerInfo>>();
  return (remote, refresh, signal) => {
    const name = core.resolve(remote);
    let asked = kept.get(name);
    if (asked && !refresh) return asked;
    asked = core.send(name, "GET", "/1.0", { signal }).then((sent): ServerInfo => syncMetadata(sent));
    kept.set(name, asked);
    asked.catch(() => kept.get(name) === asked && kept.delete(name));
    return asked;
  };
}

/** Rejects with UnsupportedError unless the remote's server lists `extension`; `what` names the call. */
export async function requireExtension(
  info: InfoCache,
  remote: string,
  extension: string,
  what: string,
  signal?: AbortSignal,
): Promise<void> {
  const { api_extensions = [], environment: env } = await info(remote, false, signal);
  if (api_extensions.includes(extension)) return;
  const named = env?.server ? ` (${env.server} ${env.server_version ?? ""})`.replace(" )", ")") : "";
  throw new UnsupportedError(`${what} needs the API extension "${extension}", which remote "${remote}"${named} does not have`, {
    extension,
    remote: String(remote),
  });
}

/** The public `server` API over a cache, with the same input checks as every other call. */
export function serverApi(info: InfoCache, core: Core, writes: Pick<ServerApi, "updateConfig" | "patchConfig">): ServerApi {
  const query = (where: string, o: ServerCallOptions) =>
    o.target !== undefined ? { target: checkSegment(where, "target", o.target) } : {};
  return {
    config: call<[], ServerCallOptions, ServerConfig>("server.config", 0, async (at, _, o) => {
      const sent = await core.send(at, "GET", "/1.0", { params: { query: query("server.config", o) }, signal: o.signal });
      return (syncMetadata(sent).config ?? {}) as ServerConfig;
    }),
    ...writes,
    resources: call<[], ServerCallOptions, ServerResources>("server.resources", 0, async (at, _, o) => {
      const q = query("server.resources", o);
      await requireExtension(info, core.resolve(at), "resources", "server.resources", o.signal);
      return syncMetadata(await core.send(at, "GET", "/1.0/resources", { params: { query: q }, signal: o.signal }));
    }),
    async require(remote, extensions, given) {
      const names = typeof extensions === "string" ? [extensions] : extensions;
      if (!Array.isArray(names) || names.length === 0)
        throw new InvalidArgumentError("server.require: extensions must be a name or a non-empty array of names");
      for (const n of names) checkText("server.require", "extension", n, { empty: false });
      const signal = checkSignal("server.require", checkOptions("server.require", given).signal);
      for (const n of names) await requireExtension(info, core.resolve(remote), n, "server.require", signal);
    },
    async info(remote?, given?) {
      const options = checkOptions("server.info", given);
      checkBoolean("server.info", "refresh", options.refresh);
      return info(remote, options.refresh, checkSignal("server.info", options.signal));
    },
    async supports(remote, extension, given) {
      checkText("server.supports", "extension", extension, { empty: false });
      const options = checkOptions("server.supports", given);
      return ((await info(remote, false, checkSignal("server.supports", options.signal))).api_extensions ?? []).includes(extension);
    },
  };
}

/** A configuration is a map of strings: anything else is refused before sending. */
export function checkConfig(where: string, config: unknown): void {
  if (typeof config !== "object" || config === null || Array.isArray(config))
    throw new InvalidArgumentError(`${where}: the config must be an object of strings`);
  for (const [k, v] of Object.entries(config)) {
    checkText(where, "config key", k, { empty: false });
    if (typeof v !== "string") throw new InvalidArgumentError(`${where}: config.${k} must be a string (LXD's config values are strings)`);
  }
}
