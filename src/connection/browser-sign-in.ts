// A page's sign-in with the server's own OIDC flow (Incus 6.0): where to send the user, whether
// the server counts the page as signed in, and signing out. The requests go through the remote's
// transport (`sessionTransport` in a page that signs in), so the session cookies ride them.
import type { Where } from "../request/pipeline.js";
import { SignInRequiredError } from "../utils/errors.js";
import type { LxdBase } from "./base.js";

/** What the server says of this page (its `GET /1.0`). */
export interface SignInState {
  /** The server trusts the page: a session cookie, or a client certificate a proxy presents. */
  signedIn: boolean;
  /** `"oidc"` for a sign-in, `"tls"` for a certificate (the server's `auth_user_method`). */
  method: string | undefined;
  /** Who is signed in (the server's `auth_user_name`: the e-mail or subject of the sign-in). */
  user: string | undefined;
  /** The server offers the OIDC sign-in (`"oidc"` in `auth_methods`); LXD before 5.21 does not. */
  offered: boolean;
  /** The page had a session the server could not renew (refresh refused): sign in again. */
  expired: boolean;
}

export interface BrowserSignIn {
  /** The server's sign-in page (`/oidc/login`); it comes back to the server's `/ui/` once signed in. */
  readonly loginUrl: string;
  /** Asks the server (`GET /1.0`) whether the page is signed in. */
  state(): Promise<SignInState>;
  /** Sends the window to `loginUrl` (the identity provider's login follows). */
  signIn(): void;
  /** Ends the session: the server's `/oidc/logout` clears its cookies. */
  signOut(): Promise<void>;
}

/** The sign-in of one remote (the default one when `where` is undefined) of a page's client. */
export function browserSignIn(base: LxdBase, where?: Where): BrowserSignIn {
  const url = base.baseUrl(where);
  const loginUrl = `${url}/oidc/login`;
  const get = (path: string) => base.transport(where).fetch(`${url}${path}`);
  return {
    loginUrl,
    async state() {
      let res: Response;
      try {
        res = await get("/1.0");
      } catch (err) {
        if (!(err instanceof SignInRequiredError)) throw err;
        return { signedIn: false, method: undefined, user: undefined, offered: true, expired: true };
      }
      const m = ((await res.json().catch(() => undefined)) as { metadata?: Record<string, unknown> } | undefined)?.metadata ?? {};
      const text = (v: unknown) => (typeof v === "string" && v !== "" ? v : undefined);
      return {
        signedIn: res.ok && m.auth === "trusted",
        method: text(m.auth_user_method),
        user: text(m.auth_user_name),
        offered: Array.isArray(m.auth_methods) && m.auth_methods.includes("oidc"),
        expired: false,
      };
    },
    signIn() {
      globalThis.location.assign(loginUrl);
    },
    async signOut() {
      // Straight to the server, not through the transport: an ended session is no reason not to.
      const res = await fetch(`${url}/oidc/logout`, { credentials: "include", redirect: "error" });
      await res.body?.cancel();
    },
  };
}
