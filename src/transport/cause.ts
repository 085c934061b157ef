// What a runtime's network failure was, read from the error its fetch threw: shared by the request
// core (which error class) and the failover transport (may the request go to another member).

// Codes from OpenSSL, Node and undici that mean "the server's certificate was refused".
export const TLS_CODE = /CERT|SSL|TLS|SELF_SIGNED|UNABLE_TO_VERIFY|UNABLE_TO_GET_ISSUER|FINGERPRINT|HOSTNAME|ALTNAME/i;

/** The first `code` along the error's cause chain (fetch wraps the socket error), and its message. */
export function causeCode(err: unknown): { code: string | undefined; detail: string } {
  let e: unknown = err;
  // fetch wraps the socket error: TypeError("fetch failed", { cause: Error{code} }).
  for (let i = 0; i < 4 && e instanceof Error; i++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === "string") return { code, detail: e.message };
    e = e.cause;
  }
  const detail = e instanceof Error ? e.message : err instanceof Error ? err.message : String(err);
  return { code: undefined, detail };
}
