// `remote add <name> <url> --token <token>`, as `lxc remote add` does it: the server's
// certificate is fetched and accepted only if its SHA-256 is the one the token names, the
// client certificate (made if the config has none) is enrolled with the token, and the remote
// is written to config.yml with servercerts/<name>.crt beside it.
import { execFileSync } from "node:child_process";
import { createHash, X509Certificate } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { hostname, homedir } from "node:os";
import { join } from "node:path";
import { connect } from "node:tls";
import { LxdFetchError } from "../utils/errors.js";
import { decodeTrustToken } from "../capabilities/trust.js";
import { UsageError } from "./args.js";
import { configDir } from "./config.js";
import { createClient } from "./runtime.js";
import { loadYaml } from "./yaml.js";

/** `host`, `host:port` or `https://host[:port]` → `https://host:port` (8443 by default). */
function normalizeUrl(given: string): URL {
  let url: URL;
  try {
    url = new URL(/^[a-z]+:\/\//i.test(given) ? given : `https://${given}`);
  } catch {
    throw new UsageError(`remote add: ${JSON.stringify(given)} is not a URL`);
  }
  if (url.protocol !== "https:") throw new UsageError("remote add: only https:// remotes take a token");
  if (!url.port) url.port = "8443";
  return url;
}

/** The server's certificate (PEM), accepted only when its SHA-256 is `fingerprint`. */
function serverCertificate(url: URL, fingerprint: string): Promise<string> {
  return new Promise((resolve, reject) => {
    // Verification is by the token's fingerprint, checked below before anything is sent.
    const socket = connect({ host: url.hostname, port: Number(url.port), rejectUnauthorized: false }, () => {
      const raw = socket.getPeerCertificate().raw;
      socket.destroy();
      if (!raw) return reject(new LxdFetchError(`remote add: ${url.host} sent no certificate`));
      const seen = createHash("sha256").update(raw).digest("hex");
      if (seen !== fingerprint.toLowerCase())
        return reject(
          new LxdFetchError(`remote add: the certificate of ${url.host} (${seen}) is not the one the token names (${fingerprint})`),
        );
      resolve(new X509Certificate(raw).toString());
    });
    socket.once("error", (err) => reject(new LxdFetchError(`remote add: cannot reach ${url.host}: ${err.message}`)));
  });
}

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
  if (!/^[A-Za-z0-9][A-Za-z0-9_.-]*$/.test(name)) throw new UsageError(`remote add: ${JSON.stringify(name)} is not a remote name`);
  const data = decodeTrustToken(token);
  const url = normalizeUrl(given);
  const found = configDir();
  const dir = found.dir ?? join(homedir(), ".config", "lxc");
  const file = join(dir, "config.yml");
  const yaml = await loadYaml();
  const doc = (existsSync(file) ? yaml.parse(readFileSync(file, "utf8")) : null) ?? {};
  doc.remotes ??= {};
  if (doc.remotes[name]) throw new UsageError(`remote add: remote ${name} exists already`);

  const ca = await serverCertificate(url, data.fingerprint);
  mkdirSync(join(dir, "servercerts"), { recursive: true, mode: 0o700 });
  const pair = clientPair(dir);
  const lxd = await createClient({ remotes: { [name]: { url: url.origin, ...pair, ca } } });
  try {
    // A certificate the server trusts already needs no token (LXD would answer 400 "already trusted").
    if ((await lxd.server.info(name)).auth !== "trusted") await lxd.trust.enrol(name, token);
    const info = await lxd.server.info(name, { refresh: true });
    if (info.auth !== "trusted") throw new LxdFetchError(`remote add: ${url.host} did not trust the certificate after enrolment`);
    writeFileSync(join(dir, "servercerts", `${name}.crt`), ca);
    const protocol = info.environment?.server === "incus" || found.kind === "incus" ? "incus" : "lxd";
    doc.remotes[name] = { addr: url.origin, auth_type: "tls", project: "default", protocol, public: false };
    writeFileSync(file, yaml.stringify(doc));
  } finally {
    await lxd.close();
  }
  out(`Client certificate now trusted by server: ${name}`);
  return 0;
}
