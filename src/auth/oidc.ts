// An OIDC sign-in as a bearer token source: the device flow (RFC 8628) when there are no tokens
// and the app can show a code, refresh ahead of expiry and once on a refusal, every concurrent
// caller sharing one refresh. oauth4webapi does the protocol (discovery, requests, response
// checks); this file does the sharing, the store and the errors. Its errors carry no token:
// oauth4webapi's keep the response and its body, so only their OAuth error code goes on.
import * as oauth from "oauth4webapi";
import { AbortError, AuthError } from "../utils/errors.js";
import type { BearerAuth, BearerRequest, OidcChallenge, OidcOptions, OidcTokens, TokenStore } from "./types.js";

/** Tokens kept in this closure only: not on any object a log or an inspection shows. */
export function memoryTokenStore(initial?: OidcTokens): TokenStore {
  let tokens = initial;
  return {
    load: () => tokens,
    save(t) {
      tokens = t;
    },
  };
}

/** Plain http only to an identity provider on this machine (a test IdP, a local proxy). */
const isLoopback = (url: URL) => /^(127\.\d+\.\d+\.\d+|\[::1\]|localhost)$/.test(url.hostname);

interface Server {
  as: oauth.AuthorizationServer;
  client: oauth.Client;
  audience: string | undefined;
  scopes: string[];
  /** The IdP's fetch, and plain http allowed on loopback; every oauth4webapi call takes these. */
  options: Http;
}
type Http = oauth.TokenEndpointRequestOptions & oauth.DiscoveryRequestOptions & oauth.DeviceAuthorizationRequestOptions;

/** A bearer token source that signs in with OIDC (give it to one remote: `auth: { bearer: oidcAuth(...) }`). */
export function oidcAuth(options: OidcOptions = {}): BearerAuth {
  const store = options.store ?? memoryTokenStore(options.tokens);
  let seeded = options.store === undefined || options.tokens === undefined;
  let pending: Promise<OidcTokens> | undefined;
  let server: Promise<Server> | undefined;

  const load = async (): Promise<OidcTokens | undefined> => {
    if (!seeded) {
      seeded = true;
      if ((await store.load()) === undefined) await store.save(options.tokens);
    }
    return store.load();
  };

  const discover = (req: BearerRequest): Promise<Server> => {
    server ??= (async () => {
      const named: Partial<OidcChallenge> = options.issuer && options.clientId ? {} : await req.challenge();
      const issuer = new URL((options.issuer ?? named.issuer) as string);
      const fetchImpl = options.fetch ?? fetch;
      const http = {
        [oauth.customFetch]: (url: string, init: object) => fetchImpl(url, init as RequestInit),
        ...(issuer.protocol === "http:" && isLoopback(issuer) && { [oauth.allowInsecureRequests]: true }),
      };
      const as = await oauth.processDiscoveryResponse(issuer, await oauth.discoveryRequest(issuer, http));
      return {
        as,
        client: { client_id: (options.clientId ?? named.clientId) as string },
        audience: options.audience ?? named.audience,
        scopes: options.scopes ?? named.scopes ?? ["openid", "offline_access"],
        options: http as Http,
      };
    })().catch((err) => {
      server = undefined;
      throw err;
    });
    return server;
  };

  const due = (t: OidcTokens) =>
    (t.refreshAt ?? (t.expiresAt === undefined ? Number.POSITIVE_INFINITY : t.expiresAt - 30_000)) <= Date.now();

  async function renew(req: BearerRequest, current: OidcTokens | undefined): Promise<OidcTokens> {
    const fail = (message: string, oauthError?: string) =>
      new AuthError(`remote "${req.remote}": ${message}`, { remote: req.remote, oauthError });
    let s: Server;
    try {
      s = await discover(req);
    } catch (err) {
      throw err instanceof AuthError ? err : fail(`the identity provider could not be reached (${describe(err)})`);
    }
    const resource = s.audience ? { resource: s.audience } : undefined;
    if (current?.refreshToken) {
      try {
        const response = await oauth.refreshTokenGrantRequest(s.as, s.client, oauth.None(), current.refreshToken, {
          ...s.options,
          ...(resource && { additionalParameters: resource }),
        });
        return await keep(await oauth.processRefreshTokenResponse(s.as, s.client, response), current.refreshToken);
      } catch (err) {
        // Refused (revoked, expired): forget the tokens, so the next call signs in anew.
        if (err instanceof oauth.ResponseBodyError) await store.save(undefined);
        throw fail(`refreshing the sign-in failed (${describe(err)}); sign in again`, oauthCode(err));
      }
    }
    if (current) {
      await store.save(undefined);
      throw fail("the server refused the access token and there is no refresh token; sign in again");
    }
    if (!options.onDeviceCode) throw fail("not signed in: no tokens, and no onDeviceCode to sign in with");
    try {
      const params = new URLSearchParams({ scope: s.scopes.join(" "), ...resource });
      const started = await oauth.processDeviceAuthorizationResponse(
        s.as,
        s.client,
        await oauth.deviceAuthorizationRequest(s.as, s.client, oauth.None(), params, s.options),
      );
      await options.onDeviceCode({
        verificationUri: started.verification_uri,
        verificationUriComplete: started.verification_uri_complete,
        userCode: started.user_code,
        expiresIn: started.expires_in,
      });
      return await keep(await poll(s, started, req.signal));
    } catch (err) {
      if (err instanceof AuthError || err instanceof AbortError) throw err;
      throw fail(`the device sign-in failed (${describe(err)})`, oauthCode(err));
    }
  }

  /** Polls the token endpoint: at once (the app's callback may have waited for the user), then every `interval`. */
  async function poll(s: Server, started: oauth.DeviceAuthorizationResponse, signal: AbortSignal | undefined) {
    let interval = (started.interval ?? 5) * 1000;
    const deadline = Date.now() + started.expires_in * 1000;
    for (;;) {
      if (signal?.aborted) throw new AbortError("device sign-in", signal.reason);
      try {
        const response = await oauth.deviceCodeGrantRequest(s.as, s.client, oauth.None(), started.device_code, s.options);
        return await oauth.processDeviceCodeResponse(s.as, s.client, response);
      } catch (err) {
        if (!(err instanceof oauth.ResponseBodyError) || Date.now() > deadline) throw err;
        if (err.error === "slow_down") interval += 5000;
        else if (err.error !== "authorization_pending") throw err;
      }
      await new Promise((r) => setTimeout(r, interval));
    }
  }

  async function keep(r: oauth.TokenEndpointResponse, previousRefresh?: string): Promise<OidcTokens> {
    const now = Date.now();
    const life = typeof r.expires_in === "number" ? r.expires_in * 1000 : undefined;
    const tokens: OidcTokens = {
      accessToken: r.access_token,
      refreshToken: r.refresh_token ?? previousRefresh,
      expiresAt: life === undefined ? undefined : now + life,
      refreshAt: life === undefined ? undefined : now + life - Math.min(30_000, life / 5),
    };
    await store.save(tokens);
    return tokens;
  }

  return {
    async token(req) {
      for (;;) {
        if (pending) {
          const shared = await pending;
          if (shared.accessToken !== req.refused) return shared.accessToken;
        }
        const current = await load();
        // Due but with no refresh token: used until the server refuses it.
        if (current && current.accessToken !== req.refused && (!due(current) || !current.refreshToken)) return current.accessToken;
        if (pending) continue; // another caller started one while the store was read
        pending = renew(req, current).finally(() => {
          pending = undefined;
        });
        return (await pending).accessToken;
      }
    },
  };
}

/** An error's kind and OAuth code, never its response or body. */
function describe(err: unknown): string {
  if (err instanceof oauth.ResponseBodyError) return `${err.error}${err.error_description ? `: ${err.error_description}` : ""}`;
  if (err instanceof Error) return `${err.name}: ${err.message}`;
  return String(err);
}

const oauthCode = (err: unknown) => (err instanceof oauth.ResponseBodyError ? err.error : undefined);
