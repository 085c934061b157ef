// The server's own description (GET /1.0), asked once per remote: feature detection reads its
// `api_extensions`, never a version string, so LXD, newer LXD and Incus are told apart by what
// they can do.
import type { Core } from "./core.js";
import { syncMetadata } from "./envelope.js";
import { UnsupportedError } from "./errors.js";
import type { components } from "./generated/lxd.js";
import { checkBoolean, checkOptions, checkSignal, checkText } from "./validate.js";

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

export interface ServerApi {
  /** `GET /1.0` of a remote (trusted or not), asked once and kept for this client's life. */
  info(remote?: string, options?: ServerInfoOptions): Promise<ServerInfo>;
  /** Whether the server lists `extension` in its `api_extensions`. */
  supports(remote: string | undefined, extension: string, options?: { signal?: AbortSignal }): Promise<boolean>;
}

/** The server API plus the check the helpers run before a call that needs an extension. */
export interface Features extends ServerApi {
  /** Rejects with UnsupportedError unless the server has `extension`; `what` names the call. */
  require(remote: string | undefined, extension: string, what: string, signal?: AbortSignal): Promise<void>;
}

export function createFeatures(core: Core): Features {
  const kept = new Map<string, Promise<ServerInfo>>();

  async function info(remote?: string, given?: ServerInfoOptions): Promise<ServerInfo> {
    const options = checkOptions("server.info", given);
    checkBoolean("server.info", "refresh", options.refresh);
    checkSignal("server.info", options.signal);
    const name = core.resolve(remote);
    const known = kept.get(name);
    if (known && !options.refresh) return known;
    const asked = core.send(name, "GET", "/1.0", { signal: options.signal }).then((sent) => syncMetadata<ServerInfo>(sent));
    kept.set(name, asked);
    // A failed answer is not kept: the next call asks again.
    asked.catch(() => {
      if (kept.get(name) === asked) kept.delete(name);
    });
    return asked;
  }

  async function supports(remote: string | undefined, extension: string, options: { signal?: AbortSignal } = {}): Promise<boolean> {
    checkText("server.supports", "extension", extension, { empty: false });
    return ((await info(remote, options)).api_extensions ?? []).includes(extension);
  }

  return {
    info,
    supports,
    async require(remote, extension, what, signal) {
      if (await supports(remote, extension, signal ? { signal } : {})) return;
      const server = await info(remote);
      const env = server.environment;
      const named = env?.server ? ` (${env.server}${env.server_version ? ` ${env.server_version}` : ""})` : "";
      throw new UnsupportedError(`${what} needs the API extension "${extension}", which remote "${core.resolve(remote)}"${named} does not have`, {
        extension,
        remote: core.resolve(remote),
      });
    },
  };
}
