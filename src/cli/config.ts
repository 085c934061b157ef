// Remotes from the CLI configuration people already have, so they need no new setup: LXD's
// ($LXD_CONF, else ~/.config/lxc, else the snap's ~/snap/lxd/common/config) or Incus's
// ($INCUS_CONF, else ~/.config/incus), each a config.yml with client.crt / client.key beside it
// and servercerts/<remote>.crt as each remote's trusted certificate (the same layout).
// Files are read through host.ts (Bun's own API in the native command, not node:fs).
import { InvalidArgumentError } from "../utils/errors.js";
import { pickIncusSocket } from "../transport/incus.js";
import { pickLocalSocket, LOCAL_SOCKETS } from "../transport/common.js";
import type { RemoteConfig } from "../index.js";
import { homeDir, joinPath as join, pathExists, readText } from "./host.js";
import { parseLxcYaml } from "./lxc-yaml.js";
import { loadYaml } from "./yaml.js";

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
export async function configDir(
  env: Record<string, string | undefined> = process.env,
): Promise<{ dir: string | undefined; kind: ConfigKind }> {
  const candidates: [string | undefined, ConfigKind][] = [
    [env.LXD_CONF, "lxc"],
    [env.INCUS_CONF, "incus"],
    [join(homeDir(), ".config", "lxc"), "lxc"],
    [join(homeDir(), "snap", "lxd", "common", "config"), "lxc"],
    [join(homeDir(), ".config", "incus"), "incus"],
  ];
  for (const [d, kind] of candidates) if (d && (await pathExists(join(d, "config.yml")))) return { dir: d, kind };
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
  const { dir, kind } = await configDir(env);
  // Incus's `local` is its own socket even when its config file names none; LXD's is the
  // library's `local` (which also knows the snap's socket).
  const base: Record<string, RemoteConfig> = kind === "incus" ? { local: { socket: defaultSocket(kind, env) } } : {};
  const file = dir && join(dir, "config.yml");
  if (!file || !(await pathExists(file))) return { dir, kind, remotes: base, defaultRemote: "local", skipped: [] };
  let doc: { "default-remote"?: string; remotes?: Record<string, CliRemote> };
  try {
    const text = await readText(file);
    doc = (parseLxcYaml(text) ?? (await loadYaml()).parse(text) ?? {}) as typeof doc;
  } catch (err) {
    throw new InvalidArgumentError(`cannot read ${file}: ${(err as Error).message}`);
  }
  const read = async (f: string) => ((await pathExists(join(dir, f))) ? readText(join(dir, f)) : undefined);
  const cert = await read("client.crt");
  const key = await read("client.key");
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
    const ca = await read(join("servercerts", `${name}.crt`));
    if (r.auth_type === "oidc") {
      // Signed in with OIDC: no client certificate; tokens cached in a 0600 file (cli/oidc.ts,
      // loaded only here: its token store is node:fs).
      const { cliOidc } = await import("./oidc.js");
      remotes[name] = { url: addr, ...(ca && { ca }), auth: { oidc: cliOidc(dir, name) } };
      continue;
    }
    remotes[name] = { url: addr, ...(cert && { cert }), ...(key && { key }), ...(ca && { ca }) };
  }
  return { dir, kind, remotes, defaultRemote: doc["default-remote"] ?? "local", skipped };
}

/**
 * The library's `local` (LXD's socket by the library's rule, src/transport/common.ts), found
 * here through host.ts: the library's own lookup would load node:fs in the native command.
 */
export async function localSocket(env: Record<string, string | undefined> = process.env): Promise<string> {
  const present = new Set<string>();
  for (const p of LOCAL_SOCKETS) if (await pathExists(p)) present.add(p);
  return pickLocalSocket(env.LXD_DIR, (p) => present.has(p));
}
