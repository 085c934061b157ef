// Remotes from the LXD CLI's own configuration, so people who use `lxc` need no new setup:
// $LXD_CONF (else ~/.config/lxc, else the snap's ~/snap/lxd/common/config)/config.yml, with
// client.crt / client.key beside it and servercerts/<remote>.crt as each remote's trusted cert.
import { existsSync, readFileSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { InvalidArgumentError } from "../errors.js";
import type { RemoteConfig } from "../index.js";
import { parseLxcYaml } from "./lxc-yaml.js";
import { loadYaml } from "./yaml.js";

export interface CliRemotes {
  dir: string | undefined;
  remotes: Record<string, RemoteConfig>;
  defaultRemote: string;
  /** Remotes that exist in the file but are not LXD servers (image servers). */
  skipped: string[];
}

interface LxcRemote {
  addr?: string;
  protocol?: string;
  public?: boolean;
  auth_type?: string;
  project?: string;
}

export function configDir(env: Record<string, string | undefined> = process.env): string | undefined {
  const candidates = [env.LXD_CONF, join(homedir(), ".config", "lxc"), join(homedir(), "snap", "lxd", "common", "config")];
  return candidates.find((d): d is string => !!d && existsSync(join(d, "config.yml"))) ?? (env.LXD_CONF || undefined);
}

export async function loadRemotes(env: Record<string, string | undefined> = process.env): Promise<CliRemotes> {
  const dir = configDir(env);
  const file = dir && join(dir, "config.yml");
  if (!file || !existsSync(file)) return { dir, remotes: {}, defaultRemote: "local", skipped: [] };
  let doc: { "default-remote"?: string; remotes?: Record<string, LxcRemote> };
  try {
    const text = readFileSync(file, "utf8");
    doc = (parseLxcYaml(text) ?? (await loadYaml()).parse(text) ?? {}) as typeof doc;
  } catch (err) {
    throw new InvalidArgumentError(`cannot read ${file}: ${(err as Error).message}`);
  }
  const read = (f: string) => (existsSync(join(dir, f)) ? readFileSync(join(dir, f), "utf8") : undefined);
  const cert = read("client.crt");
  const key = read("client.key");
  const remotes: Record<string, RemoteConfig> = {};
  const skipped: string[] = [];
  for (const [name, r] of Object.entries(doc.remotes ?? {})) {
    const addr = r.addr ?? "";
    if ((r.protocol ?? "lxd") !== "lxd") {
      skipped.push(name);
      continue;
    }
    if (addr.startsWith("unix:")) {
      const path = addr.replace(/^unix:(\/\/)?/, "");
      if (path) remotes[name] = { socket: path };
      else if (name !== "local") remotes[name] = { socket: env.LXD_DIR ? `${env.LXD_DIR}/unix.socket` : "/var/lib/lxd/unix.socket" };
      continue;
    }
    const ca = read(join("servercerts", `${name}.crt`));
    remotes[name] = { url: addr, ...(cert && { cert }), ...(key && { key }), ...(ca && { ca }) };
  }
  return { dir, remotes, defaultRemote: doc["default-remote"] ?? "local", skipped };
}
