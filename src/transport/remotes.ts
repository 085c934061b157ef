// Remote configuration checks shared by every transport.
import { InvalidArgumentError } from "../utils/errors.js";

/** Normalises a SHA-256 fingerprint to 64 lower-case hex digits, or throws. */
export function normalizeFingerprint(name: string, fp: string): string {
  const hex = String(fp).replace(/[:\s]/g, "").toLowerCase();
  if (!/^[0-9a-f]{64}$/.test(hex)) {
    throw new InvalidArgumentError(`remote "${name}": fingerprint must be a SHA-256 digest (64 hex digits, colons allowed)`);
  }
  return hex;
}

export function parseRemoteUrl(name: string, raw: string): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new InvalidArgumentError(`remote "${name}": "${raw}" is not a URL`);
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") {
    throw new InvalidArgumentError(`remote "${name}": URL must be https:// (got ${url.protocol})`);
  }
  return url;
}

/** The origin of an HTTPS remote; certificates on an http:// URL (a reverse proxy) are refused. */
export function remoteOrigin(name: string, remote: { url: string; cert?: string; key?: string; ca?: string; fingerprint?: string }): URL {
  const url = parseRemoteUrl(name, remote.url);
  if (url.protocol === "http:" && (remote.cert || remote.key || remote.ca || remote.fingerprint)) {
    throw new InvalidArgumentError(`remote "${name}": certificates need an https:// URL`);
  }
  return url;
}
