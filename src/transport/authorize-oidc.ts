// `auth: { oidc }` and `auth: { bearer }` for the server runtimes' entries (Node, Deno, Bun),
// where oauth4webapi's size does not matter. The browser's entry has no `auth` (base.ts).
import { oidcAuth } from "../auth/oidc.js";
import type { OidcOptions } from "../auth/types.js";
import { type Authorize, authorizedTransport, checkAuth } from "./authorized.js";

export const authorizeRemote: Authorize = (t, remote, auth, config) =>
  authorizedTransport(t, remote, checkAuth(remote, auth, config) ? auth.bearer : oidcAuth((auth as { oidc: OidcOptions }).oidc));
