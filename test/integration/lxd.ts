// The real LXD the integration tests run against, as scripts/lxd-up.sh describes it in
// .lxd-test/lxd.env. Locally, without it, the suites skip with one line; under CI=true they fail.
import { describe, it } from "vitest";
import { loadLxdEnv, type LxdEnv } from "../../scripts/lxd-env.mjs";
import { createLxd, type Lxd, type RemoteConfig } from "../../src/index.js";

export type { LxdEnv };

const loaded = loadLxdEnv();
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
