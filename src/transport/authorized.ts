// A remote's transport with its bearer: `Authorization: Bearer …` on every request to the remote
// and on its websockets' upgrades (through `upgradeHeaders`), below the request hooks, so no hook,
// log or error sees it. Before the first one, `GET /1.0` must list "oidc" in `auth_methods`
// (else UnsupportedError, nothing else sent). A refusal naming the identity provider (401/403
// with X-Incus-OIDC-* / X-LXD-OIDC-*) gets one new token and one retry, then AuthError.
import type { BearerAuth, BearerRequest, OidcChallenge, RemoteAuth } from "../auth/types.js";
import { AuthError, InvalidArgumentError, UnsupportedError } from "../utils/errors.js";
import { checkFunction } from "../utils/validate.js";
import type { RemoteOptions, Transport } from "./types.js";

/** Puts a remote's `auth` on its transport (base.ts), checked; the server runtimes' entries have one. */
export type Authorize = (t: Transport, remote: string, auth: RemoteAuth, config: RemoteOptions | undefined) => Transport;

/** `{ oidc: {...} }` (true) or `{ bearer: { token() } }` (false), else InvalidArgumentError. */
export function checkAuth(remote: string, auth: unknown, config: RemoteOptions | undefined): auth is { bearer: BearerAuth } {
  if (config && "socket" in config)
    throw new InvalidArgumentError(`remote "${remote}": auth needs an HTTPS remote (the unix socket needs no sign-in)`);
  const a = auth as { oidc?: { onDeviceCode?: unknown }; bearer?: { token?: unknown } } | null;
  const oidc = typeof a?.oidc === "object" && a.oidc !== null;
  const bearer = typeof a?.bearer?.token === "function";
  if (typeof a !== "object" || a === null || oidc === bearer || Object.keys(a).length !== 1) {
    throw new InvalidArgumentError(`remote "${remote}": auth must be { oidc: {...} } or { bearer: { token() } }`);
  }
  if (oidc) checkFunction(`remote "${remote}"`, "auth.oidc.onDeviceCode", a.oidc?.onDeviceCode);
  return bearer;
}

/** The OIDC headers of a refusal, Incus's or LXD's; undefined when it names no identity provider. */
export function oidcChallenge(response: Response): OidcChallenge | undefined {
  if (response.status !== 401 && response.status !== 403) return undefined;
  for (const p of ["x-incus-oidc-", "x-lxd-oidc-"]) {
    const issuer = response.headers.get(`${p}issuer`);
    const clientId = response.headers.get(`${p}clientid`);
    if (!issuer || !clientId) continue;
    const audience = response.headers.get(`${p}audience`) || undefined;
    const scopes = response.headers
      .get(`${p}scopes`)
      ?.split(/[\s,]+/)
      .filter(Boolean);
    return { issuer, clientId, audience, scopes: scopes?.length ? scopes : undefined };
  }
  return undefined;
}

/** A body fetch can send twice (a stream cannot). */
const replayable = (body: unknown) =>
  body === undefined || body === null || !(typeof ReadableStream !== "undefined" && body instanceof ReadableStream);

/** A refusal's body is not read; not awaited, as a cancel can wait on a body nobody produces (MSW's). */
const discard = (res: Response) => void res.body?.cancel().catch(() => {});

const used = new WeakMap<BearerAuth, string>();

export function authorizedTransport(t: Transport, remote: string, auth: BearerAuth): Transport {
  // One source, one remote: a token is sent only to the server it was issued for.
  const owner = used.get(auth);
  if (owner !== undefined && owner !== remote) {
    throw new InvalidArgumentError(`remote "${remote}": its bearer source is already remote "${owner}"'s (give each remote its own)`);
  }
  used.set(auth, remote);
  const ours = (url: string) => url.startsWith(`${t.baseUrl}/`);

  let checked: Promise<void> | undefined;
  const check = (): Promise<void> => {
    checked ??= (async () => {
      const res = await t.fetch(`${t.baseUrl}/1.0`);
      const body = (await res.json().catch(() => undefined)) as { metadata?: { auth_methods?: unknown } } | undefined;
      const methods = body?.metadata?.auth_methods;
      if (!Array.isArray(methods) || !methods.includes("oidc")) {
        const offered = Array.isArray(methods) ? methods.join(", ") : "none listed";
        throw new UnsupportedError(`remote "${remote}" does not offer OIDC sign-in (auth_methods: ${offered})`, {
          extension: "oidc",
          remote,
        });
      }
    })().catch((err) => {
      checked = undefined;
      throw err;
    });
    return checked;
  };

  let named: OidcChallenge | undefined;
  const challenge = async (): Promise<OidcChallenge> => {
    if (named) return named;
    // Any refused request names the identity provider; this one has no body and no effect.
    const res = await t.fetch(`${t.baseUrl}/1.0/instances`);
    discard(res);
    named = oidcChallenge(res);
    if (!named) throw new AuthError(`remote "${remote}" named no identity provider (HTTP ${res.status} without OIDC headers)`, { remote });
    return named;
  };
  const request = (signal?: AbortSignal | null, refused?: string): BearerRequest => ({
    challenge,
    remote,
    ...(signal && { signal }),
    ...(refused !== undefined && { refused }),
  });
  const token = async (signal?: AbortSignal | null, refused?: string) => {
    await check();
    return auth.token(request(signal, refused));
  };

  const send = (input: string | Request, init: RequestInit | undefined, bearer: string) => {
    const headers = new Headers(init?.headers ?? (typeof input === "string" ? undefined : input.headers));
    headers.set("authorization", `Bearer ${bearer}`);
    return t.fetch(input, { ...init, headers });
  };

  return {
    get baseUrl() {
      return t.baseUrl;
    },
    async fetch(input, init) {
      const url = typeof input === "string" ? input : input.url;
      if (!ours(url)) return t.fetch(input, init);
      const first = await token(init?.signal);
      const response = await send(input, init, first);
      const refusal = oidcChallenge(response);
      if (!refusal) return response;
      named = refusal;
      discard(response);
      const second = await token(init?.signal, first);
      if (second === first) throw new AuthError(`remote "${remote}" refused the access token`, { remote });
      if (!replayable(init?.body ?? (typeof input === "string" ? undefined : input.body))) {
        throw new AuthError(`remote "${remote}" refused the access token; it is refreshed, but a streamed body cannot be sent again`, {
          remote,
        });
      }
      const retried = await send(input, init, second);
      if (!oidcChallenge(retried)) return retried;
      discard(retried);
      throw new AuthError(`remote "${remote}" refused a freshly refreshed access token`, { remote });
    },
    webSocket: (url, options) => t.webSocket(url, options),
    async upgradeHeaders(url, signal) {
      const own = (await t.upgradeHeaders?.(url, signal)) ?? {};
      if (!ours(url.replace(/^ws/, "http"))) return own;
      return { ...own, authorization: `Bearer ${await token(signal)}` };
    },
    ...(t.maxConnecting !== undefined && { maxConnecting: t.maxConnecting }),
    close: () => t.close(),
  };
}
