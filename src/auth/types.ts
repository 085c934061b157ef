// What a remote's `auth` takes: an OIDC sign-in (`oidc`), or any bearer token source the app
// supplies (`bearer`). Types only; the OIDC session is oidc.ts, the wiring transport/authorized.ts.

/** Tokens of one sign-in. Times are milliseconds since the epoch. */
export interface OidcTokens {
  accessToken: string;
  refreshToken?: string | undefined;
  /** When the access token expires (unknown: used until the server refuses it). */
  expiresAt?: number | undefined;
  /** When lxd-fetch refreshes it ahead of expiry (default: 30 s, or a fifth of its life, before `expiresAt`). */
  refreshAt?: number | undefined;
}

/** Where a sign-in's tokens are kept: memory by default; `fileTokenStore(path)` in Node (mode 0600). */
export interface TokenStore {
  load(): OidcTokens | undefined | Promise<OidcTokens | undefined>;
  /** `undefined`: forget them (signed out, or the refresh token was refused). */
  save(tokens: OidcTokens | undefined): void | Promise<void>;
}

/** What the device flow asks the user to do: open `verificationUri` and enter `userCode`. */
export interface DeviceCodePrompt {
  verificationUri: string;
  /** The same page with the code filled in, when the identity provider gives one. */
  verificationUriComplete?: string | undefined;
  userCode: string;
  /** Seconds the code stays valid. */
  expiresIn: number;
}

/** The identity provider a refused request names (`X-Incus-OIDC-*` / `X-LXD-OIDC-*` headers). */
export interface OidcChallenge {
  issuer: string;
  clientId: string;
  audience?: string | undefined;
  /** LXD names them; Incus 6.0 does not. */
  scopes?: string[] | undefined;
}

export interface OidcOptions {
  /**
   * Shows the device flow's URL and code to the user. Without it, lxd-fetch signs in only with
   * tokens it already has (`tokens` or `store`) and throws AuthError when they run out.
   */
  onDeviceCode?: ((prompt: DeviceCodePrompt) => void | Promise<void>) | undefined;
  /** Tokens the app already has (kept in the store on first use). */
  tokens?: OidcTokens | undefined;
  /** Where tokens are kept. Default: memory, for the client's life. */
  store?: TokenStore | undefined;
  /** Overrides what the server's refusal names. */
  issuer?: string | undefined;
  clientId?: string | undefined;
  audience?: string | undefined;
  /** Default: the server's, else `openid offline_access`. */
  scopes?: string[] | undefined;
  /** The fetch that reaches the identity provider (default: the global fetch). */
  fetch?: typeof fetch | undefined;
}

/** What a remote's bearer goes through: `token()` answers the access token to send. */
export interface BearerRequest {
  /** The identity provider the server names (asked for only when it is needed). */
  challenge(): Promise<OidcChallenge>;
  /** The token the server just refused: answer another one (a refresh), or throw AuthError. */
  refused?: string | undefined;
  /** The remote's name, for messages. */
  remote: string;
  signal?: AbortSignal | undefined;
}

/** A bearer token source: `oidcAuth()`'s, or the app's own. */
export interface BearerAuth {
  token(request: BearerRequest): Promise<string>;
}

/** A remote's `auth`: an OIDC sign-in by options, or a bearer token source. */
export type RemoteAuth = { oidc: OidcOptions } | { bearer: BearerAuth };
