// Trust: tokens (an operation of class `token` that stays Running until used, revoked or
// expired), enrolment of a client certificate with a token, and the trusted certificates.
// The token a user passes around is LXD's encoded CertificateAddToken (base64 of JSON with the
// client name, the server's fingerprint and addresses, and the secret); the server takes it
// whole, in `password` (LXD up to 5.20) or `trust_token` (LXD with `explicit_trust_token`, Incus).
import type { CallOptions } from "./options.js";
import type { Core } from "../request/core.js";
import { syncMetadata } from "../request/envelope.js";
import { InvalidArgumentError } from "../utils/errors.js";
import type { components } from "../generated/lxd.js";
import { call, type Call, type Flat, type Lead } from "./mutator.js";
import { startOperation, type LxdOperation, type StartDeps } from "./operation.js";
import type { OperationsApi } from "./operations.js";
import type { InfoCache } from "./server.js";
import type { Operation } from "../types/lxd.js";
import { checkBoolean, checkSegment, checkSignal, checkText } from "../utils/validate.js";

export type Certificate = components["schemas"]["Certificate"];

/** Trust calls are server-wide: a signal only. */
export type TrustCallOptions = CallOptions;

/** The fields of an encoded trust token (`lxc config trust add` prints one). */
export interface TrustTokenData {
  client_name: string;
  /** SHA-256 of the server's certificate: pin it (`fingerprint` of a remote) to enrol safely. */
  fingerprint: string;
  addresses: string[];
  secret: string;
  expires_at?: string;
}

export interface TrustToken {
  /** The token operation's id: `revokeToken` takes it. */
  id: string;
  name: string;
  /** The encoded token to hand to the client. A credential: keep it out of logs. */
  token: string;
  expiresAt: string | undefined;
}

export interface CreateTokenOptions extends TrustCallOptions {
  /** Limit the client to `projects`. */
  restricted?: boolean;
  projects?: string[];
}

export interface TrustApi<L extends Lead = Flat> {
  /** `POST /1.0/certificates` with `token: true` → the token and its operation (Running until used). */
  createToken: Call<[name: string], CreateTokenOptions, TrustToken & { operation: LxdOperation }, L>;
  /** The pending certificate-add tokens. */
  tokens: Call<[], TrustCallOptions, TrustToken[], L>;
  /** Cancels a token by its id (or operation URL). */
  revokeToken: Call<[id: string], TrustCallOptions, void, L>;
  /**
   * Enrols the remote's own client certificate (`cert`/`key` of its config) with a token made
   * on that server. Only the token is sent: the server takes the name and limits from it.
   */
  enrol: Call<[token: string], TrustCallOptions, void, L>;
  /** Trusted certificates. */
  list: Call<[], TrustCallOptions, Certificate[], L>;
  /** Removes a trusted certificate by fingerprint. */
  remove: Call<[fingerprint: string], TrustCallOptions, void, L>;
}

const b64 = (s: string) => btoa(String.fromCharCode(...new TextEncoder().encode(s)));
const unb64 = (s: string) => new TextDecoder().decode(Uint8Array.from(atob(s), (c) => c.charCodeAt(0)));

/** Decodes an encoded token; throws InvalidArgumentError (never quoting it) when it is not one. */
export function decodeTrustToken(token: string): TrustTokenData {
  checkText("decodeTrustToken", "token", token, { empty: false });
  let data: Partial<TrustTokenData>;
  try {
    data = JSON.parse(unb64(token.trim())) as Partial<TrustTokenData>;
  } catch {
    throw new InvalidArgumentError("trust token: not an encoded LXD token (base64 JSON)");
  }
  const ok =
    data !== null &&
    typeof data === "object" &&
    typeof data.client_name === "string" &&
    typeof data.fingerprint === "string" &&
    typeof data.secret === "string" &&
    data.secret !== "" &&
    Array.isArray(data.addresses) &&
    data.addresses.length > 0;
  if (!ok) throw new InvalidArgumentError("trust token: missing client name, fingerprint, addresses or secret");
  return data as TrustTokenData;
}

const text = (v: unknown): string | undefined => (typeof v === "string" && v !== "" ? v : undefined);

/**
 * The token of a token operation, encoded as LXD's CLI encodes it; undefined for other
 * operations. The spec leaves an operation's metadata free-form: each field is read checked.
 */
function tokenOf(op: Operation): TrustToken | undefined {
  const md = op.metadata;
  const secret = text(md?.secret);
  const fingerprint = text(md?.fingerprint);
  const request = md?.request;
  if (op.class !== "token" || !secret || !fingerprint || typeof request !== "object" || request === null) return undefined;
  const name = ("name" in request && text(request.name)) || "";
  const expires = text(md?.expiresAt);
  const expiresAt = expires && !expires.startsWith("0001-") ? expires : undefined;
  const addresses = Array.isArray(md?.addresses) ? md.addresses.filter((a): a is string => typeof a === "string") : [];
  const data: TrustTokenData = { client_name: name, fingerprint, addresses, secret, ...(expiresAt && { expires_at: expiresAt }) };
  return { id: op.id, name, token: b64(JSON.stringify(data)), expiresAt };
}

export function createTrust(deps: StartDeps & { info: InfoCache; operations: OperationsApi }): TrustApi {
  const core: Core = deps.core;
  const ops = deps.operations;

  const createToken = call<[string], CreateTokenOptions, TrustToken & { operation: LxdOperation }>(
    "trust.createToken",
    1,
    async (remote, [name], o) => {
      checkText("trust.createToken", "name", name, { empty: false });
      checkBoolean("trust.createToken", "restricted", o.restricted);
      if (o.projects !== undefined) {
        if (!Array.isArray(o.projects)) throw new InvalidArgumentError("trust.createToken: projects must be an array of names");
        for (const p of o.projects) checkSegment("trust.createToken", "project", p);
      }
      const body = {
        name,
        type: "client",
        token: true,
        ...(o.restricted !== undefined && { restricted: o.restricted }),
        ...(o.projects !== undefined && { projects: o.projects }),
      };
      const operation = await startOperation(deps, remote, "POST", "/1.0/certificates", { body, signal: o.signal });
      // Nobody waits on a token: its operation runs until used, so the events hold goes now.
      operation.release();
      const token = tokenOf(operation.current);
      if (!token) throw new InvalidArgumentError("trust.createToken: the server's token operation carries no token");
      return { ...token, operation };
    },
  );

  const tokens = call<[], TrustCallOptions, TrustToken[]>("trust.tokens", 0, async (remote, _, o) => {
    const map = await ops.list(remote, { recursion: true, ...(o.signal && { signal: o.signal }) });
    return (map.running ?? []).map(tokenOf).filter((t): t is TrustToken => t !== undefined);
  });

  const revokeToken = call<[string], TrustCallOptions, void>("trust.revokeToken", 1, async (remote, [id], o) => {
    await ops.delete(remote, id, o.signal ? { signal: o.signal } : {});
  });

  const enrol = call<[string], TrustCallOptions, void>("trust.enrol", 1, async (remote, [token], o) => {
    decodeTrustToken(token);
    checkSignal("trust.enrol", o.signal);
    const { api_extensions = [] } = await deps.info(remote, false, o.signal);
    // LXD ≥ 5.21 names the field and says so (`explicit_trust_token`). Without that extension,
    // LXD up to 5.20 reads `password`, and Incus (which renamed it without an extension) reads
    // `trust_token`; each ignores the other field (Go's JSON decoding), so both are sent.
    const body = api_extensions.includes("explicit_trust_token")
      ? { type: "client", trust_token: token }
      : { type: "client", password: token, trust_token: token };
    syncMetadata(await core.send(remote, "POST", "/1.0/certificates", { body, signal: o.signal }));
  });

  const list = call<[], TrustCallOptions, Certificate[]>("trust.list", 0, async (remote, _, o) => {
    const sent = await core.send(remote, "GET", "/1.0/certificates", { params: { query: { recursion: 1 } }, signal: o.signal });
    return syncMetadata(sent) ?? [];
  });

  const remove = call<[string], TrustCallOptions, void>("trust.remove", 1, async (remote, [fingerprint], o) => {
    syncMetadata(
      await core.send(remote, "DELETE", "/1.0/certificates/{fingerprint}", { params: { path: { fingerprint } }, signal: o.signal }),
    );
  });

  return { createToken, tokens, revokeToken, enrol, list, remove };
}
