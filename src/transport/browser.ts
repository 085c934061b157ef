// Browser transport: the page's own origin, the browser's certificate store, nothing else.
// LXD refuses cross-site API requests (Sec-Fetch-Site), so a web app must be same-origin with
// the API: served by LXD itself or behind a reverse proxy that presents the client certificate.
import { InvalidArgumentError } from "../utils/errors.js";
import { parseRemoteUrl } from "./remotes.js";
import { isUnixRemote, type RemoteConfig, type Transport } from "./types.js";

export function browserTransport(name: string, config: RemoteConfig | undefined): Transport {
  if (config && isUnixRemote(config)) throw new InvalidArgumentError(`remote "${name}": a browser cannot use a unix socket`);
  if (config && (config.cert || config.key || config.ca || config.fingerprint)) {
    throw new InvalidArgumentError(`remote "${name}": in a browser, certificates come from the browser's own store`);
  }
  const origin = globalThis.location?.origin;
  const baseUrl = config ? parseRemoteUrl(name, config.url).origin : origin;
  if (!baseUrl || baseUrl === "null") throw new InvalidArgumentError(`remote "${name}": no page origin to use`);
  return {
    baseUrl,
    fetch: (input, init) => fetch(input, { ...init, redirect: "error" }),
    webSocket: (url) => new WebSocket(url),
    // Four execs (16 handshakes, one at a time) connect well within LXD's 5 s.
    maxConnecting: 4,
    close: async () => {},
  };
}
