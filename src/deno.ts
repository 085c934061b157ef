// Entry for Deno (the `deno` export condition): Deno.createHttpClient for mTLS and the socket.
import { createLxdClient, type Lxd, type LxdOptions } from "./client.js";
import { denoTransport } from "./transport/deno.js";

export * from "./shared.js";
export { denoTransport, localSocketPath } from "./transport/deno.js";

/** Creates a client. Without options it talks to the local daemon over its unix socket. */
export function createLxd(options: LxdOptions = {}): Lxd {
  return createLxdClient(options, denoTransport);
}
