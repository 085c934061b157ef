// The real LXD that scripts/lxd-up.sh describes in .lxd-test/lxd.env: one reader for the vitest
// integration suites, the runtime suites and the benchmarks.
// Plain node:fs, which Node, Deno and Bun all provide.
import { existsSync, readFileSync } from "node:fs";

const ENV_FILE = new URL("../.lxd-test/lxd.env", import.meta.url);

/** `{ kv, env }` (raw keys, and certificates read as PEM text), or `{ why }` it is unavailable. */
export function loadLxdEnv() {
  if (!existsSync(ENV_FILE)) return { why: "no .lxd-test/lxd.env (run `bash scripts/lxd-up.sh` as root)" };
  const kv = Object.fromEntries(
    readFileSync(ENV_FILE, "utf8")
      .split("\n")
      .filter((l) => l.includes("="))
      .map((l) => [l.slice(0, l.indexOf("=")), l.slice(l.indexOf("=") + 1)]),
  );
  if (!existsSync(kv.LXD_SOCKET ?? "")) return { why: `LXD socket ${kv.LXD_SOCKET} is missing (daemon not running?)` };
  const read = (k) => readFileSync(kv[k], "utf8");
  return {
    kv,
    env: {
      socket: kv.LXD_SOCKET,
      httpsUrl: kv.LXD_HTTPS_URL,
      serverCert: read("LXD_SERVER_CERT"),
      serverFingerprint: kv.LXD_SERVER_FINGERPRINT,
      clientCert: read("LXD_CLIENT_CERT"),
      clientKey: read("LXD_CLIENT_KEY"),
      untrustedCert: read("LXD_UNTRUSTED_CERT"),
      untrustedKey: read("LXD_UNTRUSTED_KEY"),
      otherCa: read("LXD_OTHER_CA"),
      container: kv.LXD_CONTAINER,
    },
  };
}

/** The one-line skip (exit 0), or under CI=true a failure with a result line (exit 1). */
export function skipOrFail(label, why) {
  if (globalThis.process?.env?.CI === "true") {
    console.error(`${label}: real LXD unavailable under CI: ${why}`);
    console.log(`${label}: 0 passed, 1 failed`);
    globalThis.process.exit(1);
  }
  console.log(`[lxd-fetch] ${label} suite skipped: ${why}`);
  globalThis.process.exit(0);
}
