// Bucket and forward fidelity: the same refusals asked of each real server and of the virtual LXD
// announcing that server's API extensions, compared as { error, status, message }. The real runs
// come first, before MSW intercepts anything. The real servers' `default` pool is `dir`, so
// their buckets are refusals; test networks have no addresses, so their forwards are too.
import { rmSync } from "node:fs";
import { setupServer } from "msw/node";
import { afterAll, beforeAll, expect, it } from "vitest";
import { createLxd, type Lxd } from "../../src/index.js";
import { createVirtualLxd } from "../../src/mock/index.js";
import { clientFor, describeServers } from "./lxd.js";

const outcome = async (p: Promise<unknown>) => {
  try {
    return { value: await p };
  } catch (e) {
    const x = e as { name: string; status?: number; lxdMessage?: string; extension?: string };
    return { error: x.name, status: x.status, message: x.lxdMessage, extension: x.extension };
  }
};

/** The calls compared; the bridge `net` and the `dir` pool `default` exist on both sides. */
const scenario = async (lxd: Lxd, net: string, bucket: string) => ({
  bucketCreate: await outcome(lxd.storageBuckets.create(undefined, "default", { name: bucket })),
  bucketBadName: await outcome(lxd.storageBuckets.create(undefined, "default", { name: "AB" })),
  bucketList: await outcome(lxd.storageBuckets.list(undefined, "default")),
  bucketGet: await outcome(lxd.storageBuckets.get(undefined, "default", "gaps18nob")),
  bucketUpdate: await outcome(lxd.storageBuckets.update(undefined, "default", "gaps18nob", {})),
  bucketDelete: await outcome(lxd.storageBuckets.delete(undefined, "default", "gaps18nob")),
  bucketKeys: await outcome(lxd.storageBuckets.keys.list(undefined, "default", "gaps18nob")),
  bucketNoPool: await outcome(lxd.storageBuckets.list(undefined, "gaps18nopool")),
  forwardCreate: await outcome(lxd.networkForwards.create(undefined, net, { listen_address: "192.0.2.1" })),
  forwardGet: await outcome(lxd.networkForwards.get(undefined, net, "192.0.2.1")),
  forwardUpdate: await outcome(lxd.networkForwards.update(undefined, net, "192.0.2.1", {})),
  forwardDelete: await outcome(lxd.networkForwards.delete(undefined, net, "192.0.2.1")),
  forwardList: await outcome(lxd.networkForwards.list(undefined, net)),
  forwardNoNetwork: await outcome(lxd.networkForwards.list(undefined, "gaps18nonet")),
  aclLogMissing: await outcome(lxd.networkAcls.log(undefined, "gaps18noacl")),
});

describeServers("fidelity: buckets and forwards, real server vs virtual LXD", (env) => {
  const real = clientFor("unix", { socket: env.socket });
  const net = `gaps18f${env.server[0]}${Math.random().toString(36).slice(2, 6)}`;
  // Incus 6.0.4 refuses the bucket (no MinIO here) but leaves its directory behind, and a second
  // create of that name is then refused differently ("Volume path … already exists"): a fresh
  // name each run, and the directory removed afterwards.
  const bucket = `lfbk${Math.random().toString(36).slice(2, 8)}`;
  let realRun: Awaited<ReturnType<typeof scenario>>;
  let extensions: string[] = [];
  beforeAll(async () => {
    extensions = (await real.server.info()).api_extensions ?? [];
    await real.networks.create(undefined, { name: net, type: "bridge", config: { "ipv4.address": "none", "ipv6.address": "none" } });
    try {
      realRun = await scenario(real, net, bucket);
    } finally {
      await real.networks.delete(undefined, net).catch(() => undefined);
    }
  }, 120_000);
  afterAll(async () => {
    if (env.server === "incus") rmSync(`/var/lib/incus/storage-pools/default/buckets/default_${bucket}`, { recursive: true, force: true });
    await real.close();
  });

  it("the virtual LXD with the server's extensions answers as the server does", async () => {
    const virtual = createVirtualLxd({ apiExtensions: extensions });
    const server = setupServer(...virtual.handlers);
    server.listen({ onUnhandledRequest: "error" });
    const lxd = createLxd({ remotes: { unix: { url: virtual.baseUrl } }, defaultRemote: "unix", WebSocket: globalThis.WebSocket });
    try {
      await lxd.networks.create(undefined, { name: net, config: { "ipv4.address": "none", "ipv6.address": "none" } });
      expect(await scenario(lxd, net, bucket)).toEqual(realRun);
    } finally {
      await lxd.close();
      server.close();
    }
  });
});
