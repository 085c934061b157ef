// The OIDC wiring against MSW: an Incus-like server that refuses with X-Incus-OIDC-* headers and an
// identity provider whose token endpoint is counted. Concurrent requests share one refresh (ahead
// of expiry and after a refusal); a refused refresh is one AuthError that shows no secret; the
// bearer goes to its own remote only and never through the request hooks.
import { inspect } from "node:util";
import { HttpResponse, http } from "msw";
import { beforeEach, expect, it } from "vitest";
import { AuthError, createLxd, type OidcTokens, type TokenStore } from "../src/index.js";
import { BASE, sync, useMockServer } from "./support/mock.js";

const IDP = "https://idp.test";
const OTHER = "https://other.test:8443";
const server = useMockServer();

let valid: Set<string>;
let refreshes: number;
let refreshAnswer: "ok" | "invalid_grant";
let seenAuth: { url: string; auth: string | null }[];
let issued: number;

beforeEach(() => {
  valid = new Set(["access-0"]);
  refreshes = 0;
  refreshAnswer = "ok";
  seenAuth = [];
  issued = 0;
  server.use(
    http.get(`${IDP}/.well-known/openid-configuration`, () =>
      HttpResponse.json({ issuer: IDP, token_endpoint: `${IDP}/token`, device_authorization_endpoint: `${IDP}/device/auth` }),
    ),
    http.post(`${IDP}/token`, async ({ request }) => {
      const form = new URLSearchParams(await request.text());
      expect(form.get("grant_type")).toBe("refresh_token");
      expect(form.get("resource")).toBe(BASE);
      refreshes++;
      await new Promise((r) => setTimeout(r, 30));
      if (refreshAnswer === "invalid_grant") {
        return HttpResponse.json({ error: "invalid_grant", error_description: "grant request is invalid" }, { status: 400 });
      }
      const access = `access-${++issued}`;
      valid.add(access);
      return HttpResponse.json({ access_token: access, token_type: "Bearer", expires_in: 3600, refresh_token: `refresh-${issued}` });
    }),
    http.get(`${BASE}/1.0`, () => sync({ auth: "untrusted", auth_methods: ["tls", "oidc"], api_extensions: ["oidc"] })),
    http.get(`${BASE}/1.0/instances`, () => refusal()),
    http.get(`${BASE}/1.0/operations`, ({ request }) => {
      const auth = request.headers.get("authorization");
      seenAuth.push({ url: request.url, auth });
      if (auth && valid.has(auth.replace(/^Bearer /, ""))) return sync({});
      return refusal();
    }),
    http.get(`${OTHER}/1.0/operations`, ({ request }) => {
      seenAuth.push({ url: request.url, auth: request.headers.get("authorization") });
      return sync({});
    }),
  );
});

/** Incus 6.0.4's refusal of a request without (valid) credentials. */
const refusal = () =>
  HttpResponse.json(
    { type: "error", error: "not authorized", error_code: 403 },
    { status: 403, headers: { "X-Incus-OIDC-issuer": IDP, "X-Incus-OIDC-clientid": "incus", "X-Incus-OIDC-audience": BASE } },
  );

function store(initial: OidcTokens): TokenStore & { now(): OidcTokens | undefined } {
  let t: OidcTokens | undefined = initial;
  return {
    load: () => t,
    save: (n) => {
      t = n;
    },
    now: () => t,
  };
}

const hooksSaw: string[] = [];
const client = (s: TokenStore) =>
  createLxd({
    remotes: { incus: { url: BASE, auth: { oidc: { store: s } } }, other: { url: OTHER } },
    defaultRemote: "incus",
    hooks: {
      beforeRequest: [(req) => void hooksSaw.push(req.headers.get("authorization") ?? "none")],
      afterResponse: [(req) => void hooksSaw.push(req.headers.get("authorization") ?? "none")],
    },
  });

it("six concurrent requests with a token due for refresh share one refresh", async () => {
  const s = store({ accessToken: "access-0", refreshToken: "refresh-0", expiresAt: Date.now() + 10_000, refreshAt: Date.now() - 1 });
  const lxd = client(s);
  await Promise.all(Array.from({ length: 6 }, () => lxd.operations.list()));
  expect(refreshes).toBe(1);
  expect(new Set(seenAuth.map((x) => x.auth))).toEqual(new Set(["Bearer access-1"]));
  expect(s.now()).toMatchObject({ accessToken: "access-1", refreshToken: "refresh-1" });
  await lxd.close();
});

it("a refused token: one shared refresh for concurrent requests, each retried once", async () => {
  valid.delete("access-0"); // revoked at the server, though not expired by its clock
  const s = store({ accessToken: "access-0", refreshToken: "refresh-0", expiresAt: Date.now() + 3_600_000 });
  const lxd = client(s);
  await Promise.all(Array.from({ length: 4 }, () => lxd.operations.list()));
  expect(refreshes).toBe(1);
  expect(seenAuth.filter((x) => x.auth === "Bearer access-0")).toHaveLength(4);
  expect(seenAuth.filter((x) => x.auth === "Bearer access-1")).toHaveLength(4);
  await lxd.close();
});

it("a refused refresh: AuthError after one attempt, no secret in its message or inspection, tokens forgotten", async () => {
  valid.delete("access-0");
  refreshAnswer = "invalid_grant";
  const s = store({ accessToken: "access-0", refreshToken: "refresh-0", expiresAt: Date.now() + 3_600_000 });
  const lxd = client(s);
  const err = await lxd.operations.list().catch((e: unknown) => e);
  expect(err).toBeInstanceOf(AuthError);
  expect(err).toMatchObject({ remote: "incus", oauthError: "invalid_grant" });
  expect(refreshes).toBe(1);
  const shown = `${inspect(err, { depth: 20, showHidden: true })} ${String(err)} ${JSON.stringify(err)}`;
  expect(shown).not.toMatch(/access-0|refresh-0/);
  expect(s.now()).toBeUndefined();
  await lxd.close();
});

it("the refreshed server refusing again: AuthError, no loop", async () => {
  const s = store({ accessToken: "stale", refreshToken: "refresh-0", expiresAt: Date.now() + 3_600_000 });
  const lxd = client(s);
  valid.clear();
  server.use(
    http.post(`${IDP}/token`, () => {
      refreshes++;
      return HttpResponse.json({ access_token: "also-refused", token_type: "Bearer", expires_in: 3600 });
    }),
  );
  await expect(lxd.operations.list()).rejects.toThrow(/refused a freshly refreshed access token/);
  expect(refreshes).toBe(1);
  expect(seenAuth.map((x) => x.auth)).toEqual(["Bearer stale", "Bearer also-refused"]);
  await lxd.close();
});

it("the bearer goes to its own remote only, and the request hooks never see it", async () => {
  hooksSaw.length = 0;
  const lxd = client(store({ accessToken: "access-0", expiresAt: Date.now() + 3_600_000 }));
  await lxd.operations.list();
  await lxd.operations.list("other");
  expect(seenAuth).toEqual([
    { url: `${BASE}/1.0/operations`, auth: "Bearer access-0" },
    { url: `${OTHER}/1.0/operations`, auth: null },
  ]);
  expect(hooksSaw.every((h) => h === "none")).toBe(true);
  await lxd.close();
});
