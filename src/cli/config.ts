// Remotes from the CLI configuration people already have, so they need no new setup: LXD's
// ($LXD_CONF, else ~/.config/lxc, else the snap's ~/snap/lxd/common/config) or Incus's
// ($INCUS_CONF, else ~/.config/incus), each a config.yml with client.crt / client.key beside it
// and servercerts/<remote>.crt as each remote's trusted certificate (the same layout).
import { existsSync, readFileSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { InvalidArgumentError } from "../utils/errors.js";
import { pickIncusSocket } from "../transport/incus.js";
import type { RemoteConfig } from "../index.js";
import { parseLxcYaml } from "./lxc-yaml.js";
import { loadYaml } from "./yaml.js";
import { cliOidc } from "./oidc.js";

/** Whose configuration: `lxc`'s (LXD) or `incus`'s. */
export type ConfigKind = "lxc" | "incus";

export interface CliRemotes {
  dir: string | undefined;
  kind: ConfigKind;
  remotes: Record<string, RemoteConfig>;
  defaultRemote: string;
  /** Remotes that exist in the file but are not API servers (image servers). */
  skipped: string[];
}

interface CliRemote {
  addr?: string;
  protocol?: string;
  public?: boolean;
  auth_type?: string;
  project?: string;
}

/**
 * The configuration folder and whose it is. A variable that is set wins ($LXD_CONF, then
 * $INCUS_CONF), then the home folders, lxc's first: a machine with both CLIs keeps lxc's
 * remotes as before.
 */
export function configDir(env: Record<string, string | undefined> = process.env): { dir: string | undefined; kind: ConfigKind } {
  const candidates: [string | undefined, ConfigKind][] = [
    [env.LXD_CONF, "lxc"],
    [env.INCUS_CONF, "incus"],
    [join(homedir(), ".config", "lxc"), "lxc"],
    [join(homedir(), "snap", "lxd", "common", "config"), "lxc"],
    [join(homedir(), ".config", "incus"), "incus"],
  ];
  const found = candidates.find(([d]) => !!d && existsSync(join(d, "config.yml")));
  if (found) return { dir: found[0], kind: found[1] };
  if (env.LXD_CONF) return { dir: env.LXD_CONF, kind: "lxc" };
  if (env.INCUS_CONF) return { dir: env.INCUS_CONF, kind: "incus" };
  return { dir: undefined, kind: "lxc" };
}

/** `unix://` with no path: the CLI's own local socket ($LXD_DIR or $INCUS_SOCKET/$INCUS_DIR rules). */
function defaultSocket(kind: ConfigKind, env: Record<string, string | undefined>): string {
  if (kind === "incus") return pickIncusSocket((k) => env[k]);
  return env.LXD_DIR ? `${env.LXD_DIR}/unix.socket` : "/var/lib/lxd/unix.socket";
}

export async function loadRemotes(env: Record<string, string | undefined> = process.env): Promise<CliRemotes> {
  const { dir, kind } = configDir(env);
  // Incus's `local` is its own socket even when its config file names none; LXD's is the
  // library's `local` (which also knows the snap's socket).
  const base: Record<string, RemoteConfig> = kind === "incus" ? { local: { socket: defaultSocket(kind, env) } } : {};
  const file = dir && join(dir, "config.yml");
  if (!file || !existsSync(file)) return { dir, kind, remotes: base, defaultRemote: "local", skipped: [] };
  let doc: { "default-remote"?: string; remotes?: Record<string, CliRemote> };
  try {
    const text = readFileSync(file, "utf8");
    doc = (parseLxcYaml(text) ?? (await loadYaml()).parse(text) ?? {}) as typeof doc;
  } catch (err) {
    throw new InvalidArgumentError(`cannot read ${file}: ${(err as Error).message}`);
  }
  const read = (f: string) => (existsSync(join(dir, f)) ? readFileSync(join(dir, f), "utf8") : undefined);
  const cert = read("client.crt");
  const key = read("client.key");
  const remotes: Record<string, RemoteConfig> = { ...base };
  const skipped: string[] = [];
  for (const [name, r] of Object.entries(doc.remotes ?? {})) {
    const addr = r.addr ?? "";
    // lxc writes `lxd` (or nothing), incus writes `incus`: both speak the same /1.0 API.
    if (!["lxd", "incus"].includes(r.protocol ?? "lxd")) {
      skipped.push(name);
      continue;
    }
    if (addr.startsWith("unix:")) {
      const path = addr.replace(/^unix:(\/\/)?/, "");
      if (path) remotes[name] = { socket: path };
      else if (name !== "local" || kind === "incus") remotes[name] = { socket: defaultSocket(kind, env) };
      continue;
    }
    const ca = read(join("servercerts", `${name}.crt`));
    if (r.auth_type === "oidc") {
      // Signed in with OIDC: no client certificate; tokens cached in a 0600 file (cli/oidc.ts).
      remotes[name] = { url: addr, ...(ca && { ca }), auth: { oidc: cliOidc(dir, name) } };
      continue;
    }
    remotes[name] = { url: addr, ...(cert && { cert }), ...(key && { key }), ...(ca && { ca }) };
  }
  return { dir, kind, remotes, defaultRemote: doc["default-remote"] ?? "local", skipped };
}
