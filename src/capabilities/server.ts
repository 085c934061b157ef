// The server's own description (GET /1.0), asked once per remote: feature detection reads its
// `api_extensions`, never a version string, so LXD, newer LXD and Incus are told apart by what
// they can do. Split so that a helper that only needs the check (operations) bundles the small
// cache, not the public API's input checks.
import type { Core } from "../request/core.js";
import type { Args, Flat, Lead } from "./mutator.js";
import type { Where } from "../request/pipeline.js";
import { syncMetadata } from "../request/envelope.js";
import { UnsupportedError } from "../utils/errors.js";
import type { components } from "../generated/lxd.js";
import { checkBoolean, checkOptions, checkSignal, checkText } from "../utils/validate.js";

type Schemas = components["schemas"];

/**
 * `GET /1.0`: LXD's `Server`, which Incus answers in the same shape. `environment.server` names
 * the implementation ("lxd", "incus"); it is for display, not for deciding what to send.
 */
export type ServerInfo = Schemas["Server"] & { environment?: Schemas["ServerEnvironment"] };

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
export function serverApi(info: InfoCache): ServerApi {
  return {
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
