// What `remote add` does the same way for every auth type: the URL as lxc takes it, the server's
// certificate before anything is sent, and the remote written into the client's config.yml (and
// its certificate into servercerts/).
import { createHash, X509Certificate } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { connect } from "node:tls";
import type { ServerInfo } from "../capabilities/server.js";
import { LxdFetchError } from "../utils/errors.js";
import { UsageError } from "./args.js";
import { configDir } from "./config.js";
import { loadYaml } from "./yaml.js";

/** `host`, `host:port` or `https://host[:port]` → `https://host:port` (8443 by default); `why` says why only https. */
export function normalizeUrl(given: string, why: string): URL {
  let url: URL;
  try {
    url = new URL(/^[a-z]+:\/\//i.test(given) ? given : `https://${given}`);
  } catch {
    throw new UsageError(`remote add: ${JSON.stringify(given)} is not a URL`);
  }
  if (url.protocol !== "https:") throw new UsageError(`remote add: ${why}`);
  if (!url.port) url.port = "8443";
  return url;
}

/** The server's certificate (PEM) and its SHA-256, not verified: the caller checks the fingerprint. */
export function peerCertificate(url: URL): Promise<{ pem: string; fingerprint: string }> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: url.hostname, port: Number(url.port), rejectUnauthorized: false }, () => {
      const raw = socket.getPeerCertificate().raw;
      socket.destroy();
      if (!raw) return reject(new LxdFetchError(`remote add: ${url.host} sent no certificate`));
      resolve({ pem: new X509Certificate(raw).toString(), fingerprint: createHash("sha256").update(raw).digest("hex") });
    });
    socket.once("error", (err) => reject(new LxdFetchError(`remote add: cannot reach ${url.host}: ${err.message}`)));
  });
}

/** The client's config, where a new remote `name` goes; refuses a bad or existing name. */
export async function remoteConfig(name: string) {
  if (!/^[A-Za-z0-9][A-Za-z0-9_.-]*$/.test(name)) throw new UsageError(`remote add: ${JSON.stringify(name)} is not a remote name`);
  const found = await configDir();
  const dir = found.dir ?? join(homedir(), ".config", "lxc");
  const file = join(dir, "config.yml");
  const yaml = await loadYaml();
  const doc = (existsSync(file) ? yaml.parse(readFileSync(file, "utf8")) : null) ?? {};
  doc.remotes ??= {};
  if (doc.remotes[name]) throw new UsageError(`remote add: remote ${name} exists already`);
  return {
    dir,
    /** Writes the remote (and its server certificate) once the server accepted the client. */
    save(url: URL, pem: string, info: ServerInfo, authType: "tls" | "oidc") {
      mkdirSync(join(dir, "servercerts"), { recursive: true, mode: 0o700 });
      writeFileSync(join(dir, "servercerts", `${name}.crt`), pem);
      const protocol = info.environment?.server === "incus" || found.kind === "incus" ? "incus" : "lxd";
      doc.remotes[name] = { addr: url.origin, auth_type: authType, project: "default", protocol, public: false };
      writeFileSync(file, yaml.stringify(doc));
    },
  };
}
