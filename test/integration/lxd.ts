// The real servers the integration tests run against, LXD 5.0.2 and Incus 6.0.4, as
// scripts/lxd-up.sh and scripts/incus-up.sh describe them in .lxd-test/lxd.env. Locally, a
// missing server's suites skip with one line; under CI=true they fail.
import { describe, it } from "vitest";
import { loadClusterEnv, loadServers, type ClusterEnv, type LxdEnv } from "../../scripts/lxd-env.mjs";
import { createLxd, type Lxd, type RemoteConfig } from "../../src/index.js";

export type { ClusterEnv, LxdEnv };

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
    unavailable(name, server.id, server.name, why);
  }
}

/**
 * Declares a suite against the 3-member LXD cluster of scripts/lxd-cluster-up.sh (named
 * "<suite> [LXD 5.0.2 cluster]"); skipped with one line when it is not up, a failure under CI=true.
 */
export function describeCluster(name: string, body: (env: ClusterEnv) => void): void {
  const { env, why } = loadClusterEnv();
  if (env) describe(`${name} [${env.label}]`, () => body(env));
  else unavailable(name, "cluster", "LXD cluster", why);
}

/**
 * Declares a suite that needs the main LXD, the cluster and Incus at once (work moved between
 * them); without all three: a failing test under CI=true, else one line and no suite.
 */
export function describeAllServers(name: string, body: () => void): void {
  if (loaded.every((l) => l.env) && loadClusterEnv().env) describe(name, body);
  else if (process.env.CI === "true")
    describe(name, () =>
      it("needs the main LXD, the LXD cluster and Incus", () => {
        throw new Error("real servers unavailable under CI (.lxd-test/lxd.env)");
      }),
    );
  else console.warn(`[lxd-fetch] ${name}: skipped, it needs the main LXD, the LXD cluster and Incus`);
}

/** A missing server's suite: a failing test under CI=true, else skipped with one line. */
function unavailable(name: string, id: string, label: string, why: string): void {
  if (process.env.CI === "true") {
    describe(`${name} [${label}]`, () =>
      it(`needs the real ${label}`, () => {
        throw new Error(`real ${label} unavailable under CI: ${why}`);
      }));
    return;
  }
  if (!announced.has(id)) console.warn(`[lxd-fetch] real-${label} tests skipped: ${why}`);
  announced.add(id);
  describe.skip(`${name} [${label}]`, () => it(`needs the real ${label}`, () => {}));
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
