// `remote add <name> <url> --token <token>`, as `lxc remote add` does it: the server's
// certificate is fetched and accepted only if its SHA-256 is the one the token names, the
// client certificate (made if the config has none) is enrolled with the token, and the remote
// is written to config.yml with servercerts/<name>.crt beside it.
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { hostname } from "node:os";
import { join } from "node:path";
import { decodeTrustToken } from "../capabilities/trust.js";
import { LxdFetchError } from "../utils/errors.js";
import { UsageError } from "./args.js";
import { normalizeUrl, peerCertificate, remoteConfig } from "./remote-config.js";
import { createClient } from "./runtime.js";

/** The config's client certificate, made with openssl (as `lxc` makes one) when there is none. */
function clientPair(dir: string): { cert: string; key: string } {
  const crt = join(dir, "client.crt");
  const key = join(dir, "client.key");
  if (!existsSync(crt) || !existsSync(key)) {
    execFileSync(
      "openssl",
      [
        "req",
        "-x509",
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:secp384r1",
        "-nodes",
        "-days",
        "3650",
        "-subj",
        `/CN=lxd-fetch@${hostname()}`,
        "-addext",
        "extendedKeyUsage=clientAuth",
        "-keyout",
        key,
        "-out",
        crt,
      ],
      { stdio: "ignore" },
    );
  }
  return { cert: readFileSync(crt, "utf8"), key: readFileSync(key, "utf8") };
}

export async function remoteAdd(args: string[], token: string | undefined, out: (s: string) => void): Promise<number> {
  const [name, given] = args;
  if (!name || !given || args.length > 2 || !token) throw new UsageError("remote add <name> <url> --token <token>");
  const config = await remoteConfig(name);
  const data = decodeTrustToken(token);
  const url = normalizeUrl(given, "only https:// remotes take a token");

  // Verified by the token's fingerprint, before anything is sent.
  const { pem: ca, fingerprint } = await peerCertificate(url);
  if (fingerprint !== data.fingerprint.toLowerCase())
    throw new LxdFetchError(
      `remote add: the certificate of ${url.host} (${fingerprint}) is not the one the token names (${data.fingerprint})`,
    );
  const pair = clientPair(config.dir);
  const lxd = await createClient({ remotes: { [name]: { url: url.origin, ...pair, ca } } });
  try {
    // A certificate the server trusts already needs no token (LXD would answer 400 "already trusted").
    if ((await lxd.server.info(name)).auth !== "trusted") await lxd.trust.enrol(name, token);
    const info = await lxd.server.info(name, { refresh: true });
    if (info.auth !== "trusted") throw new LxdFetchError(`remote add: ${url.host} did not trust the certificate after enrolment`);
    config.save(url, ca, info, "tls");
  } finally {
    await lxd.close();
  }
  out(`Client certificate now trusted by server: ${name}`);
  return 0;
}
