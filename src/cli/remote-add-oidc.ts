// `remote add <name> <url> --auth-type oidc`, as `incus remote add --auth-type oidc` does it:
// the server's certificate is shown by its SHA-256 and kept only with --accept-certificate, then
// the device flow signs in (URL and code on stderr), the tokens go to a 0600 file, and the remote
// is written to config.yml with `auth_type: oidc`.
import { createHash, X509Certificate } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { connect } from "node:tls";
import { LxdFetchError } from "../utils/errors.js";
import { UsageError } from "./args.js";
import { configDir } from "./config.js";
import { cliOidc } from "./oidc.js";
import { createClient } from "./runtime.js";
import { loadYaml } from "./yaml.js";

function normalizeUrl(given: string): URL {
  let url: URL;
  try {
    url = new URL(/^[a-z]+:\/\//i.test(given) ? given : `https://${given}`);
  } catch {
    throw new UsageError(`remote add: ${JSON.stringify(given)} is not a URL`);
  }
  if (url.protocol !== "https:") throw new UsageError("remote add: OIDC needs an https:// remote");
  if (!url.port) url.port = "8443";
  return url;
}

/** The server's certificate (PEM) and its SHA-256, before anything is sent. */
function serverCertificate(url: URL): Promise<{ pem: string; fingerprint: string }> {
  return new Promise((resolve, reject) => {
    // Not verified here: the user accepts it by its fingerprint (--accept-certificate).
    const socket = connect({ host: url.hostname, port: Number(url.port), rejectUnauthorized: false }, () => {
      const raw = socket.getPeerCertificate().raw;
      socket.destroy();
      if (!raw) return reject(new LxdFetchError(`remote add: ${url.host} sent no certificate`));
      resolve({ pem: new X509Certificate(raw).toString(), fingerprint: createHash("sha256").update(raw).digest("hex") });
    });
    socket.once("error", (err) => reject(new LxdFetchError(`remote add: cannot reach ${url.host}: ${err.message}`)));
  });
}

export async function remoteAddOidc(args: string[], accept: boolean, out: (s: string) => void): Promise<number> {
  const [name, given] = args;
  if (!name || !given || args.length > 2) throw new UsageError("remote add <name> <url> --auth-type oidc [--accept-certificate]");
  if (!/^[A-Za-z0-9][A-Za-z0-9_.-]*$/.test(name)) throw new UsageError(`remote add: ${JSON.stringify(name)} is not a remote name`);
  const url = normalizeUrl(given);
  const found = configDir();
  const dir = found.dir ?? join(homedir(), ".config", "lxc");
  const file = join(dir, "config.yml");
  const yaml = await loadYaml();
  const doc = (existsSync(file) ? yaml.parse(readFileSync(file, "utf8")) : null) ?? {};
  doc.remotes ??= {};
  if (doc.remotes[name]) throw new UsageError(`remote add: remote ${name} exists already`);

  const cert = await serverCertificate(url);
  if (!accept) {
    process.stderr.write(`Certificate fingerprint of ${url.host}: ${cert.fingerprint}\n`);
    throw new UsageError("remote add: check the fingerprint, then run again with --accept-certificate");
  }
  mkdirSync(join(dir, "servercerts"), { recursive: true, mode: 0o700 });
  const lxd = await createClient({ remotes: { [name]: { url: url.origin, ca: cert.pem, auth: { oidc: cliOidc(dir, name) } } } });
  try {
    const info = await lxd.server.info(name);
    if (info.auth !== "trusted") throw new LxdFetchError(`remote add: ${url.host} did not accept the sign-in`);
    writeFileSync(join(dir, "servercerts", `${name}.crt`), cert.pem);
    const protocol = info.environment?.server === "incus" || found.kind === "incus" ? "incus" : "lxd";
    doc.remotes[name] = { addr: url.origin, auth_type: "oidc", project: "default", protocol, public: false };
    writeFileSync(file, yaml.stringify(doc));
    const who = (info as { auth_user_name?: string }).auth_user_name;
    out(`Signed in to ${name}${who ? ` as ${who}` : ""} (OIDC)`);
  } finally {
    await lxd.close();
  }
  return 0;
}
