// The real servers the integration tests run against, LXD 5.0.2 and Incus 6.0.4, as
// scripts/lxd-up.sh and scripts/incus-up.sh describe them in .lxd-test/lxd.env. Locally, a
// missing server's suites skip with one line; under CI=true they fail.
import { describe, it } from "vitest";
import { loadServers, type LxdEnv } from "../../scripts/lxd-env.mjs";
import { createLxd, type Lxd, type RemoteConfig } from "../../src/index.js";

export type { LxdEnv };

const loaded = loadServers();
const announced = new Set<string>();

/**
 * Declares a real-server suite once per server (named "<suite> [LXD 5.0.2]", "[Incus 6.0.4]").
 * A missing server's copy is skipped with one line, except under CI=true, where it is a
 * failure: CI always has both.
 */
export function describeServers(name: string, body: (env: LxdEnv) => void): void {
  for (const { server, env, why } of loaded) {
    if (env) {
      describe(`${name} [${env.label}]`, () => body(env));
      continue;
    }
    if (process.env.CI === "true") {
      describe(`${name} [${server.name}]`, () =>
        it(`needs the real ${server.name} daemon`, () => {
          throw new Error(`real ${server.name} unavailable under CI: ${why}`);
        }));
      continue;
    }
    if (!announced.has(server.id)) console.warn(`[lxd-fetch] real-${server.name} tests skipped: ${why}`);
    announced.add(server.id);
    describe.skip(`${name} [${server.name}]`, () => it(`needs the real ${server.name} daemon`, () => {}));
  }
}

/** The two ways to reach a daemon: the unix socket and HTTPS with mutual TLS. */
export function remotes(env: LxdEnv): [string, RemoteConfig][] {
  return [
    ["unix", { socket: env.socket }],
    ["https", { url: env.httpsUrl, ca: env.serverCert, cert: env.clientCert, key: env.clientKey }],
  ];
}

export function clientFor(name: string, remote: RemoteConfig): Lxd {
  return createLxd({ remotes: { [name]: remote }, defaultRemote: name });
}

export { createTokenOperation } from "../support/token.js";
