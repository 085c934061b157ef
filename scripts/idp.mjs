// The test world's identity provider: oidc-provider (a certified OpenID Provider) on loopback,
// which Incus trusts for OIDC sign-in (scripts/idp-up.sh starts it and configures Incus).
// docs/oidc.md explains each setting. Run by idp-up.sh as a background process:
//   node scripts/idp.mjs              # http://127.0.0.1:9999
// Environment: IDP_PORT (9999), IDP_AUDIENCE (the Incus URL, https://127.0.0.1:8444),
// IDP_ACCESS_TTL (seconds, 3600), IDP_SHORT_ACCESS_TTL (seconds, 5; for logins named "short…"),
// IDP_KEYS (the signing key file, created on first start; default .lxd-test/idp-jwks.json).
// The discovery document names this file's SHA-256 (`lxd_fetch_idp`), so idp-up.sh can tell an
// IdP started from another version of it and restart it.
import { createHash, generateKeyPairSync } from "node:crypto";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import Provider from "oidc-provider";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const port = Number(process.env.IDP_PORT ?? 9999);
const issuer = `http://127.0.0.1:${port}`;
const audience = process.env.IDP_AUDIENCE ?? "https://127.0.0.1:8444";
const accessTtl = Number(process.env.IDP_ACCESS_TTL ?? 3600);
const shortAccessTtl = Number(process.env.IDP_SHORT_ACCESS_TTL ?? 5);
const keysFile = process.env.IDP_KEYS ?? join(root, ".lxd-test", "idp-jwks.json");
const version = createHash("sha256")
  .update(readFileSync(fileURLToPath(import.meta.url)))
  .digest("hex");
/** The web example's sign-in server (examples/web/serve-sign-in.mjs) listens on one of these. */
const SIGN_IN_PORTS = Array.from({ length: 10 }, (_, i) => 8450 + i);

// One RSA key kept across restarts: Incus caches the issuer's keys, and tokens signed before a
// restart stay valid.
if (!existsSync(keysFile)) {
  const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const jwk = { ...privateKey.export({ format: "jwk" }), kid: `lxd-fetch-${Date.now()}`, use: "sig", alg: "RS256" };
  writeFileSync(keysFile, JSON.stringify({ keys: [jwk] }), { mode: 0o600 });
}
const jwks = JSON.parse(readFileSync(keysFile, "utf8"));

const provider = new Provider(issuer, {
  jwks,
  clients: [
    {
      // Public, as Incus's own CLI is: the device flow and refresh for tools, the code flow with
      // PKCE for Incus's server-side browser login (/oidc/login → /oidc/callback). Incus builds
      // the callback from the request's Host (https://<Host>/oidc/callback), so a page served
      // through a same-origin proxy comes back to the proxy: one URI per sign-in server port.
      client_id: "incus",
      token_endpoint_auth_method: "none",
      grant_types: ["urn:ietf:params:oauth:grant-type:device_code", "refresh_token", "authorization_code"],
      response_types: ["code"],
      redirect_uris: [`${audience}/oidc/callback`, ...SIGN_IN_PORTS.map((p) => `https://127.0.0.1:${p}/oidc/callback`)],
    },
  ],
  // Any login and password signs in (the test user is whoever the test names).
  async findAccount(_ctx, id) {
    return { accountId: id, claims: async () => ({ sub: id, email: `${id}@lxd-fetch.test`, name: id }) };
  },
  claims: { openid: ["sub"], email: ["email"], profile: ["name"] },
  scopes: ["openid", "offline_access", "email", "profile"],
  features: {
    devInteractions: { enabled: true },
    deviceFlow: { enabled: true },
    revocation: { enabled: true },
    // Incus refuses opaque access tokens: a resource indicator (the Incus URL) gets a JWT whose
    // `aud` is that URL, which is what Incus's oidc.audience checks.
    resourceIndicators: {
      enabled: true,
      defaultResource: () => audience,
      useGrantedResource: () => true,
      getResourceServerInfo: (_ctx, resource) => {
        if (resource !== audience) throw new Provider.errors.InvalidTarget();
        return { scope: "openid offline_access email profile", audience, accessTokenFormat: "jwt", jwt: { sign: { alg: "RS256" } } };
      },
    },
  },
  // Refresh tokens for every client allowed the grant (a tool asks for offline_access anyway).
  issueRefreshToken: (_ctx, client) => client.grantTypeAllowed("refresh_token"),
  ttl: {
    AccessToken: (_ctx, token) => (String(token.accountId ?? "").startsWith("short") ? shortAccessTtl : accessTtl),
    DeviceCode: 600,
    RefreshToken: 14 * 24 * 3600,
    Grant: 14 * 24 * 3600,
    Session: 14 * 24 * 3600,
    Interaction: 3600,
    IdToken: 3600,
    AuthorizationCode: 60,
  },
  cookies: { keys: [jwks.keys[0].n.slice(0, 32)] },
  discovery: { lxd_fetch_idp: version },
  pkce: { required: () => true },
});
// Loopback over plain http: oidc-provider would otherwise warn about insecure cookies per request.
provider.proxy = false;

// Incus's web login asks for offline_access without prompt=consent. This provider then follows
// OIDC Core 11 to the letter and drops the scope, yet issues a refresh token (issueRefreshToken
// above) without it, and refuses Incus's refresh, which asks for its scopes again, with
// invalid_scope. Identity providers such as Keycloak grant offline_access to such a login; here
// the login is treated as asking for consent, which the user gives on the consent page.
provider.use(async (ctx, next) => {
  if (
    ctx.method === "GET" &&
    ctx.path === "/auth" &&
    !ctx.query.prompt &&
    String(ctx.query.scope ?? "")
      .split(" ")
      .includes("offline_access")
  )
    ctx.query = { ...ctx.query, prompt: "consent" };
  await next();
});
for (const event of ["grant.error", "server_error"])
  provider.on(event, (ctx, err) =>
    console.log(`idp: ${event} (${ctx?.oidc?.params?.grant_type ?? ctx?.path}): ${err?.message} ${err?.error_description ?? ""}`),
  );
provider.listen(port, "127.0.0.1", () => {
  console.log(`idp: ${issuer} (audience ${audience}, access tokens ${accessTtl} s, "short…" logins ${shortAccessTtl} s)`);
});
