// Entry for browsers: same-origin requests only; no Node built-ins reach this bundle.
import { createBase, type LxdBase } from "./connection/base.js";
import { createLxdClient, type Lxd, type LxdOptions } from "./connection/client.js";
import { remoteTransport } from "./transport/failover.js";
import { browserTransport } from "./transport/browser.js";

export * from "./public-api.js";
export { browserTransport } from "./transport/browser.js";
// Signing in with the server's own OIDC flow (cookies): docs/oidc.md, "In a web page".
export { accessCookieExpiry, sessionTransport } from "./transport/browser-session.js";
export { type BrowserSignIn, browserSignIn, type SignInState } from "./connection/browser-sign-in.js";
export { SignInRequiredError } from "./utils/errors.js";

/** Creates a client whose `local` remote is the page's own origin. */
export function createLxd(options: LxdOptions = {}): Lxd {
  return createLxdClient(options, browserTransport, remoteTransport);
}

/**
 * The shared core alone, for the per-capability functions (`lxdOperations(base)`, …). Without the
 * cluster failover, to keep those bundles small: a remote listing member URLs needs createLxd().
 */
export function createLxdBase(options: LxdOptions = {}): LxdBase {
  return createBase(options, browserTransport);
}
