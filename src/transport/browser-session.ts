// The browser's transport for a page signed in with the server's own OIDC flow (Incus 6.0:
// `/oidc/login` → the identity provider → `/oidc/callback`, which sets the `oidc_access`,
// `oidc_refresh` and `oidc_id` cookies: Path=/, Secure, SameSite=Strict). The cookies ride every
// request and websocket by themselves (`credentials: "include"` where the server is another
// origin); this transport adds two things:
// - A refusal naming the identity provider (401/403 with X-Incus-OIDC-* / X-LXD-OIDC-*) from a
//   server that does not count the page as signed in is a SignInRequiredError with the login URL.
//   A 403 from a server that does (a signed-in user without the permission) stays the server's.
// - One refresh at a time. The server refreshes an expired access cookie itself, with the refresh
//   cookie, on whichever request carries it; two requests doing so at once spend the same refresh
//   token twice, which an identity provider that rotates them (oidc-provider, Okta) takes for a
//   replay and answers by revoking the sign-in. So when the access cookie's `exp` is near, every
//   request and websocket waits for one request sent after it expired, which refreshes. That
//   one is `GET /1.0/projects/default`, not `GET /1.0`: Incus 6.0.4 authenticates a request once
//   with its response at hand (so the new cookies reach the page) and then, for `/1.0` and every
//   endpoint checked by `allowAuthenticated`, once more without it, and that second pass
//   refreshes again with the same refresh token: a replay, the sign-in revoked. Endpoints checked
//   by permission (a project's) authenticate once (docs/oidc.md, "In a web page"). Only
//   `exp` is read from the cookie (Incus 6.0.4 does not make it HttpOnly); where the page cannot
//   read it (another host), requests are not held.
// - A request sent just before that window may still reach the server after the expiry when the
//   page or the machine is busy, and refresh by itself. So the one refresh first waits for the
//   requests and websocket handshakes sent in the seconds before the window, and is not sent
//   when one of them brought new cookies.
import { SignInRequiredError } from "../utils/errors.js";
import { browserTransport } from "./browser.js";
import type { RemoteConfig, Transport } from "./types.js";

/** How long before the access cookie's expiry requests start to wait for the one refresh. */
const AHEAD_MS = 1000;
/** Sent this long after the expiry, so that the server (same clock or a little behind) sees it expired. */
const AFTER_MS = 250;
/** Requests sent this long before the window may still arrive after the expiry: the refresh waits for them. */
const LATE_MS = 5000;
/** At most this long, so that a long poll sent just before does not hold every request. */
const LATE_WAIT_MS = 5000;

/** The access cookie's expiry (ms since the epoch), from its JWT's `exp`; undefined when there is none to read. */
export function accessCookieExpiry(cookies: string | undefined = globalThis.document?.cookie): number | undefined {
  const jwt = /(?:^|;\s*)oidc_access=([^;]*)/.exec(cookies ?? "")?.[1];
  try {
    const part = jwt?.split(".")[1];
    if (!part) return undefined;
    const exp = (JSON.parse(atob(part.replace(/-/g, "+").replace(/_/g, "/"))) as { exp?: unknown }).exp;
    return typeof exp === "number" ? exp * 1000 : undefined;
  } catch {
    return undefined;
  }
}

/** A refusal that names an identity provider (Incus's or LXD's headers; transport/authorized.ts reads them all). */
const oidcRefusal = (res: Response) =>
  (res.status === 401 || res.status === 403) && (res.headers.has("x-incus-oidc-issuer") || res.headers.has("x-lxd-oidc-issuer"));

/** A refusal's body is not read. */
const discard = (res: Response) => void res.body?.cancel().catch(() => {});

/**
 * A TransportFactory for `createLxd({ transport: sessionTransport })` / `createLxdBase(...)` in a
 * page signed in with the server's cookie session (see browserSignIn for the sign-in itself).
 */
export function sessionTransport(name: string, config: RemoteConfig | undefined): Transport {
  const t = browserTransport(name, config);
  const { baseUrl } = t;
  const crossOrigin = baseUrl !== globalThis.location?.origin;
  const loginUrl = `${baseUrl}/oidc/login`;
  const send = (input: string | Request, init?: RequestInit) => t.fetch(input, crossOrigin ? { ...init, credentials: "include" } : init);

  /** The server's view of this page: signed in (`auth: "trusted"`) or not; a 401 is not. */
  const trusted = async (): Promise<boolean> => {
    const res = await send(`${baseUrl}/1.0`);
    const body = (await res.json().catch(() => undefined)) as { metadata?: { auth?: unknown } } | undefined;
    return res.ok && body?.metadata?.auth === "trusted";
  };
  const signInRequired = (status: number) =>
    new SignInRequiredError(`remote "${name}": ${status === 401 ? "the sign-in ended" : "not signed in"}; sign in at ${loginUrl}`, {
      remote: name,
      status,
      loginUrl,
    });

  /** Requests and websocket handshakes not yet answered, with when each was sent. */
  const inFlight = new Map<Promise<unknown>, number>();
  const track = <T>(p: Promise<T>): Promise<T> => {
    const settled = p.then(
      () => undefined,
      () => undefined,
    );
    inFlight.set(settled, Date.now());
    void settled.then(() => inFlight.delete(settled));
    return p;
  };
  /** Waits (at most LATE_WAIT_MS) for what was sent since `since`. */
  const lateOnes = (since: number) => {
    const late = [...inFlight].filter(([, sentAt]) => sentAt >= since).map(([p]) => p);
    if (late.length === 0) return Promise.resolve();
    let timer: ReturnType<typeof setTimeout> | undefined;
    return Promise.race([Promise.all(late), new Promise((r) => (timer = setTimeout(r, LATE_WAIT_MS)))]).finally(() => clearTimeout(timer));
  };

  let refreshing: Promise<void> | undefined;
  /** An expiry the server still accepted after its expiry (its clock behind the page's): not waited on again. */
  let accepted: number | undefined;
  const fresh = (): Promise<void> => {
    const exp = accessCookieExpiry();
    if (exp !== undefined && exp !== accepted && exp - Date.now() <= AHEAD_MS) {
      refreshing ??= (async () => {
        await new Promise((r) => setTimeout(r, Math.max(0, exp + AFTER_MS - Date.now())));
        await lateOnes(exp - AHEAD_MS - LATE_MS);
        if (accessCookieExpiry() !== exp) return; // a late request refreshed: nothing to do
        const res = await send(`${baseUrl}/1.0/projects/default`);
        discard(res);
        if (oidcRefusal(res) && !(res.status === 403 && (await trusted()))) throw signInRequired(res.status);
        if (accessCookieExpiry() === exp) accepted = exp;
      })().finally(() => {
        refreshing = undefined;
      });
    }
    return refreshing ?? Promise.resolve();
  };

  return {
    baseUrl,
    async fetch(input, init) {
      await fresh();
      const res = await track(send(input, init));
      if (!oidcRefusal(res)) return res;
      if (res.status === 403 && (await trusted())) return res;
      discard(res);
      throw signInRequired(res.status);
    },
    webSocket(url, options) {
      const ws = t.webSocket(url, options);
      // Its handshake is a request with the cookies: tracked until it opens or fails.
      track(
        new Promise((settle) => {
          for (const type of ["open", "error", "close"]) ws.addEventListener(type, settle, { once: true });
        }),
      );
      return ws;
    },
    // Called before each websocket opens: it waits for the refresh like a request (a browser's
    // WebSocket carries the cookies, and no header of ours).
    async upgradeHeaders() {
      await fresh();
      return {};
    },
    ...(t.maxConnecting !== undefined && { maxConnecting: t.maxConnecting }),
    close: () => t.close(),
  };
}
