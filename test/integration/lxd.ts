// The real LXD the integration tests run against, as scripts/lxd-up.sh describes it in
// .lxd-test/lxd.env. Locally, without it, the suites skip with one line; under CI=true they fail.
import { existsSync, readFileSync } from "node:fs";
import { describe, it } from "vitest";
import { createLxd, type Lxd, type RemoteConfig } from "../../src/index.js";

export interface LxdEnv {
  socket: string;
  httpsUrl: string;
  serverCert: string;
  serverFingerprint: string;
  clientCert: string;
  clientKey: string;
  untrustedCert: string;
  untrustedKey: string;
  otherCa: string;
  container: string;
  version: string;
}

const ENV_FILE = new URL("../../.lxd-test/lxd.env", import.meta.url);

function load(): { env?: LxdEnv; why?: string } {
  if (!existsSync(ENV_FILE)) return { why: "no .lxd-test/lxd.env (run `bash scripts/lxd-up.sh` as root)" };
  const kv = Object.fromEntries(
    readFileSync(ENV_FILE, "utf8")
      .split("\n")
      .filter((l) => l.includes("="))
      .map((l) => [l.slice(0, l.indexOf("=")), l.slice(l.indexOf("=") + 1)]),
  );
  if (!existsSync(kv.LXD_SOCKET ?? "")) return { why: `LXD socket ${kv.LXD_SOCKET} is missing (daemon not running?)` };
  const read = (k: string) => readFileSync(kv[k]!, "utf8");
  return {
    env: {
      socket: kv.LXD_SOCKET!,
      httpsUrl: kv.LXD_HTTPS_URL!,
      serverCert: read("LXD_SERVER_CERT"),
      serverFingerprint: kv.LXD_SERVER_FINGERPRINT!,
      clientCert: read("LXD_CLIENT_CERT"),
      clientKey: read("LXD_CLIENT_KEY"),
      untrustedCert: read("LXD_UNTRUSTED_CERT"),
      untrustedKey: read("LXD_UNTRUSTED_KEY"),
      otherCa: read("LXD_OTHER_CA"),
      container: kv.LXD_CONTAINER!,
      version: kv.LXD_VERSION ?? "",
    },
  };
}

const loaded = load();
let announced = false;

/**
 * Declares a real-LXD suite. Without LXD it is skipped with one line, except under CI=true,
 * where a missing daemon is a failure: CI always has one.
 */
export function describeLxd(name: string, body: (env: LxdEnv) => void): void {
  const { env, why } = loaded;
  if (env) {
    describe(name, () => body(env));
    return;
  }
  if (process.env.CI === "true") {
    describe(name, () => it("needs the real LXD daemon", () => {
      throw new Error(`real LXD unavailable under CI: ${why}`);
    }));
    return;
  }
  if (!announced) console.warn(`[lxd-fetch] real-LXD tests skipped: ${why}`);
  announced = true;
  describe.skip(name, () => it("needs the real LXD daemon", () => {}));
}

/** The two ways to reach the daemon: the unix socket and HTTPS with mutual TLS. */
export function remotes(env: LxdEnv): [string, RemoteConfig][] {
  return [
    ["unix", { socket: env.socket }],
    ["https", { url: env.httpsUrl, ca: env.serverCert, cert: env.clientCert, key: env.clientKey }],
  ];
}

export function clientFor(name: string, remote: RemoteConfig): Lxd {
  return createLxd({ remotes: { [name]: remote }, defaultRemote: name });
}

/** A live, cancellable operation: a certificate add token stays `Running` until cancelled. */
export async function createTokenOperation(lxd: Lxd, remote?: string): Promise<string> {
  const name = `lxd-fetch-test-${Math.random().toString(36).slice(2, 10)}`;
  const { data, error, response } = await lxd.api(remote).POST("/1.0/certificates", {
    body: { name, type: "client", token: true },
  });
  if (error || response.status !== 202) throw new Error(`token operation not created: ${response.status} ${JSON.stringify(error)}`);
  const id = (data as { metadata?: { id?: string } } | undefined)?.metadata?.id;
  if (!id) throw new Error("token operation without id");
  return id;
}
