// The real servers that scripts/lxd-up.sh (LXD 5.0.2), scripts/incus-up.sh (Incus 6.0.4) and
// scripts/lxd-cluster-up.sh (a 3-member LXD 5.0.2 cluster) describe in .lxd-test/lxd.env, each in
// its own section (LXD_..., INCUS_..., CLUSTER_...): one reader for the vitest integration suites,
// the runtime suites and the benchmarks.
// Plain node:fs, which Node, Deno and Bun all provide.
import { existsSync, readFileSync } from "node:fs";

const ENV_FILE = new URL("../.lxd-test/lxd.env", import.meta.url);

/** The servers every real-server suite runs against, in this order. */
export const SERVERS = [
  { id: "lxd", name: "LXD", prefix: "LXD_", up: "scripts/lxd-up.sh" },
  { id: "incus", name: "Incus", prefix: "INCUS_", up: "scripts/incus-up.sh" },
];

/** The certificate and key files of a section, by their env key suffix and their `env` name. */
const FILES = [
  ["SERVER_CERT", "serverCert"],
  ["CLIENT_CERT", "clientCert"],
  ["CLIENT_KEY", "clientKey"],
  ["UNTRUSTED_CERT", "untrustedCert"],
  ["UNTRUSTED_KEY", "untrustedKey"],
  ["OTHER_CA", "otherCa"],
];

function readEnvFile() {
  if (!existsSync(ENV_FILE)) return undefined;
  return Object.fromEntries(
    readFileSync(ENV_FILE, "utf8")
      .split("\n")
      .filter((l) => l.includes("="))
      .map((l) => [l.slice(0, l.indexOf("=")), l.slice(l.indexOf("=") + 1)]),
  );
}

/**
 * One server (`"lxd"` or `"incus"`): `{ kv, env }` (its section's raw keys, prefix included, and
 * certificates read as PEM text), or `{ why }` it is unavailable.
 */
export function loadServerEnv(id) {
  const server = SERVERS.find((s) => s.id === id);
  if (!server) throw new Error(`unknown server ${id}`);
  const all = readEnvFile();
  const hint = `run \`bash ${server.up}\` as root`;
  if (!all) return { why: `no .lxd-test/lxd.env (${hint})` };
  const kv = Object.fromEntries(Object.entries(all).filter(([k]) => k.startsWith(server.prefix)));
  const get = (k) => kv[server.prefix + k];
  if (!get("SOCKET")) return { why: `no ${server.name} section in .lxd-test/lxd.env (${hint})` };
  if (!existsSync(get("SOCKET"))) return { why: `${server.name} socket ${get("SOCKET")} is missing (daemon not running? ${hint})` };
  const files = Object.fromEntries(FILES.map(([k, name]) => [name, get(k)]));
  const pem = Object.fromEntries(FILES.map(([k, name]) => [name, readFileSync(get(k), "utf8")]));
  return {
    kv,
    env: {
      server: server.id,
      label: `${server.name} ${get("VERSION")}`,
      socket: get("SOCKET"),
      httpsUrl: get("HTTPS_URL"),
      ...pem,
      serverFingerprint: get("SERVER_FINGERPRINT"),
      container: get("CONTAINER"),
      image: get("IMAGE"),
      files,
    },
  };
}

/** Every server of SERVERS, each `{ server, kv?, env?, why? }`. */
export function loadServers() {
  return SERVERS.map((server) => ({ server, ...loadServerEnv(server.id) }));
}

/** The LXD section alone (what the benchmarks use). */
export function loadLxdEnv() {
  return loadServerEnv("lxd");
}

/**
 * The cluster of scripts/lxd-cluster-up.sh: `{ kv, env }` (its section's raw keys and the members,
 * certificates read as PEM text), or `{ why }` it is unavailable.
 */
export function loadClusterEnv() {
  const all = readEnvFile();
  const hint = "run `bash scripts/lxd-cluster-up.sh` as root";
  if (!all) return { why: `no .lxd-test/lxd.env (${hint})` };
  const kv = Object.fromEntries(Object.entries(all).filter(([k]) => k.startsWith("CLUSTER_")));
  if (!kv.CLUSTER_MEMBERS) return { why: `no cluster section in .lxd-test/lxd.env (${hint})` };
  const list = (k) => kv[`CLUSTER_${k}`].split(",");
  const [urls, sockets, containers] = [list("URLS"), list("SOCKETS"), list("CONTAINERS")];
  const members = list("MEMBERS").map((name, i) => ({ name, url: urls[i], socket: sockets[i], container: containers[i] }));
  const missing = members.find((m) => !existsSync(m.socket));
  if (missing) return { why: `cluster member ${missing.name}'s socket ${missing.socket} is missing (${hint})` };
  const files = { serverCert: kv.CLUSTER_SERVER_CERT, clientCert: kv.CLUSTER_CLIENT_CERT, clientKey: kv.CLUSTER_CLIENT_KEY };
  return {
    kv,
    env: {
      label: `LXD ${kv.CLUSTER_VERSION} cluster`,
      members,
      urls,
      serverCert: readFileSync(files.serverCert, "utf8"),
      serverFingerprint: kv.CLUSTER_SERVER_FINGERPRINT,
      clientCert: readFileSync(files.clientCert, "utf8"),
      clientKey: readFileSync(files.clientKey, "utf8"),
      image: kv.CLUSTER_IMAGE,
      files,
    },
  };
}

/** The one-line skip (exit 0), or under CI=true a failure with a result line (exit 1). */
export function skipOrFail(label, why) {
  if (globalThis.process?.env?.CI === "true") {
    console.error(`${label}: real server unavailable under CI: ${why}`);
    console.log(`${label}: 0 passed, 1 failed`);
    globalThis.process.exit(1);
  }
  console.log(`[lxd-fetch] ${label} suite skipped: ${why}`);
  globalThis.process.exit(0);
}
