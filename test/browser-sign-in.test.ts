// The browser's sign-in with the server's own OIDC flow, against MSW shaped as Incus 6.0.4 answers
// (internal/server/auth/oidc/oidc.go, cmd/incusd/daemon.go): a refusal naming the identity
// provider becomes SignInRequiredError with the login URL only when the server does not count the
// page as signed in; near the access cookie's expiry every request and websocket waits for one
// GET of the default project sent after it expired (the server refreshes there, once; `GET /1.0`
// would refresh twice); a refused refresh is one
// typed error for all; cookies never show in an error. `location` and `document.cookie` are
// stubbed as a page has them.
import { inspect } from "node:util";
import { HttpResponse, http } from "msw";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import {
  AuthError,
  accessCookieExpiry,
  browserSignIn,
  createLxdBase,
  LxdError,
  lxdOperations,
  SignInRequiredError,
  sessionTransport,
} from "../src/browser.js";
import { BASE, sync, useMockServer } from "./support/mock.js";

const server = useMockServer();
const IDP = "http://127.0.0.1:9999";
const oidcHeaders = { "X-Incus-OIDC-issuer": IDP, "X-Incus-OIDC-clientid": "incus", "X-Incus-OIDC-audience": BASE };

/** A JWT-shaped access token expiring at `expMs` (only `exp` is read). */
const jwt = (expMs: number, sub = "alice") =>
  `eyJhbGciOiJSUzI1NiJ9.${Buffer.from(JSON.stringify({ exp: Math.floor(expMs / 1000), sub })).toString("base64url")}.c2lnbmF0dXJl`;

let cookie: string;
let assigned: string[];
beforeEach(() => {
  cookie = "";
  assigned = [];
  vi.stubGlobal("location", { origin: BASE, assign: (u: string) => assigned.push(u) });
  vi.stubGlobal("document", {
    get cookie() {
      return cookie;
    },
  });
});
afterEach(() => vi.unstubAllGlobals());

const page = () => createLxdBase({ transport: sessionTransport });
const refusal = (status: 401 | 403) =>
  HttpResponse.json(
    { type: "error", error: status === 401 ? "Failed to authenticate" : "not authorized", error_code: status },
    { status, headers: oidcHeaders },
  );
const info = (auth: "trusted" | "untrusted", extra: object = {}) =>
  sync({ auth, auth_methods: ["tls", "oidc"], api_extensions: ["oidc"], ...extra });

describe("refusals", () => {
  it("no session: the 403 naming the identity provider is SignInRequiredError with the login URL", async () => {
    server.use(
      http.get(`${BASE}/1.0/operations`, () => refusal(403)),
      http.get(`${BASE}/1.0`, () => info("untrusted")),
    );
    const err = await lxdOperations(page())
      .list()
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SignInRequiredError);
    expect(err).toBeInstanceOf(AuthError);
    expect(err).toMatchObject({ remote: "local", status: 403, loginUrl: `${BASE}/oidc/login` });
  });

  it("a signed-in page refused a permission: the server's own 403 (LxdError), not a sign-in", async () => {
    server.use(
      http.get(`${BASE}/1.0/operations`, () => refusal(403)),
      http.get(`${BASE}/1.0`, () => info("trusted", { auth_user_method: "oidc", auth_user_name: "alice" })),
    );
    const err = await lxdOperations(page())
      .list()
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(LxdError);
    expect(err).not.toBeInstanceOf(AuthError);
    expect(err).toMatchObject({ status: 403 });
  });

  it("a 401 (the session ended, the server could not renew it) is SignInRequiredError at once", async () => {
    let infos = 0;
    server.use(
      http.get(`${BASE}/1.0/operations`, () => refusal(401)),
      http.get(`${BASE}/1.0`, () => {
        infos++;
        return info("untrusted");
      }),
    );
    const err = await lxdOperations(page())
      .list()
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ name: "SignInRequiredError", status: 401, loginUrl: `${BASE}/oidc/login` });
    expect(infos).toBe(0);
  });

  it("a refusal without OIDC headers (LXD 5.0.2) stays the server's error", async () => {
    server.use(
      http.get(`${BASE}/1.0/operations`, () =>
        HttpResponse.json({ type: "error", error: "not authorized", error_code: 403 }, { status: 403 }),
      ),
    );
    const err = await lxdOperations(page())
      .list()
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(LxdError);
  });

  it("the cookies show nowhere in the error", async () => {
    const access = jwt(Date.now() + 3600_000);
    cookie = `oidc_access=${access}; oidc_refresh=refresh-secret-1; oidc_id=id-secret-1`;
    server.use(http.get(`${BASE}/1.0/operations`, () => refusal(401)));
    const err = await lxdOperations(page())
      .list()
      .catch((e: unknown) => e);
    const shown = `${inspect(err, { depth: 10 })} ${String(err)} ${JSON.stringify(err)}`;
    for (const secret of [access, "refresh-secret-1", "id-secret-1"]) expect(shown).not.toContain(secret);
  });
});

describe("one refresh at a time", () => {
  it("near expiry, concurrent requests and a websocket wait for one GET of the default project sent after it expired (never GET /1.0, which refreshes twice)", async () => {
    const exp = Date.now() + 600;
    cookie = `oidc_access=${jwt(exp)}; oidc_refresh=r1`;
    const seen: { path: string; at: number }[] = [];
    server.use(
      http.get(`${BASE}/1.0/projects/default`, () => {
        seen.push({ path: "/1.0/projects/default", at: Date.now() });
        // The server refreshed with the refresh cookie and set new cookies.
        cookie = `oidc_access=${jwt(Date.now() + 60_000)}; oidc_refresh=r2`;
        return sync({ name: "default" });
      }),
      http.get(`${BASE}/1.0`, () => {
        seen.push({ path: "/1.0", at: Date.now() });
        return info("trusted");
      }),
      http.get(`${BASE}/1.0/operations`, () => {
        seen.push({ path: "/1.0/operations", at: Date.now() });
        return sync({});
      }),
    );
    const base = page();
    const ops = lxdOperations(base);
    const socketReady = base.transport(undefined).upgradeHeaders?.(`wss://lxd.test:8443/1.0/events`);
    await Promise.all([...Array.from({ length: 5 }, () => ops.list()), socketReady]);
    expect(seen.map((s) => s.path)).toEqual(["/1.0/projects/default", ...Array(5).fill("/1.0/operations")]);
    expect(seen[0]?.at).toBeGreaterThanOrEqual(Math.floor(exp / 1000) * 1000);
    // Fresh again: no more probes.
    await ops.list();
    expect(seen.filter((s) => s.path === "/1.0/projects/default")).toHaveLength(1);
    expect(seen.filter((s) => s.path === "/1.0")).toHaveLength(0);
  });

  it("a request sent just before the window that reaches the server after the expiry refreshes; the one refresh waits for it and is not sent", async () => {
    const exp = (Math.floor(Date.now() / 1000) + 3) * 1000; // whole seconds, as `exp`; not yet within the window: sent at once
    await new Promise((r) => setTimeout(r, exp - 1300 - Date.now()));
    cookie = `oidc_access=${jwt(exp)}; oidc_refresh=r1`;
    const seen: string[] = [];
    server.use(
      http.get(`${BASE}/1.0/projects/default`, () => {
        seen.push("refresh");
        return sync({ name: "default" });
      }),
      http.get(`${BASE}/1.0/operations`, async ({ request }) => {
        if (new URL(request.url).searchParams.has("recursion")) {
          // A busy machine: this one arrives after the expiry, and the server refreshes on it.
          await new Promise((r) => setTimeout(r, exp + 600 - Date.now()));
          cookie = `oidc_access=${jwt(Date.now() + 60_000)}; oidc_refresh=r2`;
          seen.push("late, refreshed");
        } else seen.push("held");
        return sync({});
      }),
    );
    const ops = lxdOperations(page());
    const late = ops.list(undefined, { recursion: true });
    await new Promise((r) => setTimeout(r, 500)); // now within the window
    await Promise.all([late, ops.list()]);
    expect(seen).toEqual(["late, refreshed", "held"]);
  });

  it("a refused refresh: one renewing GET, and every waiting request gets SignInRequiredError (401)", async () => {
    cookie = `oidc_access=${jwt(Date.now() - 1000)}; oidc_refresh=revoked`;
    let infos = 0;
    let operations = 0;
    server.use(
      http.get(`${BASE}/1.0/projects/default`, () => {
        infos++;
        return refusal(401);
      }),
      http.get(`${BASE}/1.0/operations`, () => {
        operations++;
        return sync({});
      }),
    );
    const ops = lxdOperations(page());
    const results = await Promise.allSettled(Array.from({ length: 4 }, () => ops.list()));
    expect(results.map((r) => r.status === "rejected" && r.reason instanceof SignInRequiredError && r.reason.status)).toEqual([
      401, 401, 401, 401,
    ]);
    expect({ infos, operations }).toEqual({ infos: 1, operations: 0 });
  });

  it("a server whose clock is behind keeps the expired cookie: requests go on, not held again", async () => {
    const exp = Date.now() - 500;
    cookie = `oidc_access=${jwt(exp)}`;
    let infos = 0;
    server.use(
      http.get(`${BASE}/1.0/projects/default`, () => {
        infos++;
        return sync({ name: "default" });
      }),
      http.get(`${BASE}/1.0/operations`, () => sync({})),
    );
    const ops = lxdOperations(page());
    await ops.list();
    await ops.list();
    expect(infos).toBe(1);
  });

  it("no cookie to read (not signed in, or another host): nothing is held", async () => {
    let infos = 0;
    server.use(
      http.get(`${BASE}/1.0`, () => {
        infos++;
        return info("trusted");
      }),
      http.get(`${BASE}/1.0/operations`, () => sync({})),
    );
    await lxdOperations(page()).list();
    expect(infos).toBe(0);
  });
});

describe("credentials", () => {
  it("cookies go along to another origin (credentials: include), and stay default on the page's own", async () => {
    const OTHER = "https://incus.test:8443";
    const modes: Record<string, string> = {};
    server.use(
      http.get(`${OTHER}/1.0/operations`, ({ request }) => {
        modes.other = request.credentials;
        return sync({});
      }),
      http.get(`${BASE}/1.0/operations`, ({ request }) => {
        modes.own = request.credentials;
        return sync({});
      }),
    );
    const base = createLxdBase({ transport: sessionTransport, remotes: { incus: { url: OTHER } } });
    await lxdOperations(base).list("incus");
    await lxdOperations(base).list();
    expect(modes).toEqual({ other: "include", own: "same-origin" });
  });
});

describe("browserSignIn", () => {
  it("state(): signed in with OIDC, its user; signIn() sends the window to /oidc/login", async () => {
    server.use(http.get(`${BASE}/1.0`, () => info("trusted", { auth_user_method: "oidc", auth_user_name: "alice@lxd-fetch.test" })));
    const s = browserSignIn(page());
    expect(await s.state()).toEqual({ signedIn: true, method: "oidc", user: "alice@lxd-fetch.test", offered: true, expired: false });
    s.signIn();
    expect(assigned).toEqual([`${BASE}/oidc/login`]);
    expect(s.loginUrl).toBe(`${BASE}/oidc/login`);
  });

  it("state(): not signed in; a session the server could not renew is `expired`", async () => {
    server.use(http.get(`${BASE}/1.0`, () => info("untrusted")));
    const s = browserSignIn(page());
    expect(await s.state()).toMatchObject({ signedIn: false, offered: true, expired: false });
    server.use(http.get(`${BASE}/1.0`, () => refusal(401)));
    expect(await s.state()).toMatchObject({ signedIn: false, offered: true, expired: true });
  });

  it("state() of a server without OIDC (LXD 5.0.2): not offered", async () => {
    server.use(http.get(`${BASE}/1.0`, () => sync({ auth: "untrusted", auth_methods: ["tls"] })));
    expect(await browserSignIn(page()).state()).toMatchObject({ signedIn: false, offered: false });
  });

  it("signOut() asks the server's /oidc/logout, even with a session that ended", async () => {
    cookie = `oidc_access=${jwt(Date.now() - 1000)}`;
    const hits: string[] = [];
    server.use(
      http.get(`${BASE}/oidc/logout`, ({ request }) => {
        hits.push(request.credentials);
        return new HttpResponse(null, { status: 200 });
      }),
    );
    await browserSignIn(page()).signOut();
    expect(hits).toEqual(["include"]);
  });
});

describe("accessCookieExpiry", () => {
  it("reads only the access cookie's exp; anything unreadable is undefined", () => {
    expect(accessCookieExpiry(`a=b; oidc_access=${jwt(1_800_000_000_000)}; x=y`)).toBe(1_800_000_000_000);
    expect(accessCookieExpiry("oidc_access=not-a-jwt")).toBeUndefined();
    expect(accessCookieExpiry("oidc_access=a.!!!.c")).toBeUndefined();
    expect(accessCookieExpiry("other=1")).toBeUndefined();
    expect(accessCookieExpiry("")).toBeUndefined();
  });
});
