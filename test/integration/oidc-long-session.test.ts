// Slow (about 65 s): a 60 s session on the real Incus 6.0.4 with 5 s access tokens from the real
// identity provider (a login starting with "short": scripts/idp.mjs), the bearer refreshed about
// a dozen times under it. One exec streams a line every half second for 60 s over websockets
// opened with the first token; one events socket, also opened with the first token, stays up;
// every 2 s a request and a new exec (new websockets, the current token) run beside them. Nothing
// is lost: every line in order, every new exec's output and its operation on the events socket.
import { afterAll, expect, it } from "vitest";
import {
  createLxd,
  type Lxd,
  type LxdEvent,
  memoryTokenStore,
  type OidcTokens,
  type TokenStore,
  UnsupportedError,
} from "../../src/index.js";
import { approveDevice } from "../support/idp-user.mjs";
import { describeServers } from "./lxd.js";

const SESSION_S = 60;

describeServers("real server: a 60 s OIDC session", (env) => {
  if (env.server !== "incus") {
    it("LXD 5.0.2 has no OIDC: the session ends before it starts, UnsupportedError", async () => {
      const lxd = createLxd({
        remotes: { r: { url: env.httpsUrl, ca: env.serverCert, auth: { oidc: { onDeviceCode: () => {} } } } },
        defaultRemote: "r",
      });
      try {
        await expect(lxd.remote().run(env.container, ["true"])).rejects.toBeInstanceOf(UnsupportedError);
      } finally {
        await lxd.close();
      }
    });
    return;
  }
  const clients: Lxd[] = [];
  afterAll(() => Promise.all(clients.map((l) => l.close())));

  it(`slow: ${SESSION_S} s of exec and events with 5 s access tokens crosses every refresh, nothing lost`, {
    timeout: (SESSION_S + 60) * 1000,
  }, async () => {
    const inner = memoryTokenStore();
    const expiries: number[] = [];
    const store: TokenStore = {
      load: () => inner.load(),
      save(t: OidcTokens | undefined) {
        if (t?.expiresAt !== undefined) expiries.push(t.expiresAt);
        return inner.save(t);
      },
    };
    const lxd = createLxd({
      remotes: {
        incus: {
          url: env.httpsUrl,
          ca: env.serverCert, // no client certificate: the bearer is the only way in
          auth: {
            oidc: {
              store,
              onDeviceCode: (p) => approveDevice(p.verificationUriComplete ?? p.verificationUri, "short-long-session").then(() => {}),
            },
          },
        },
      },
      defaultRemote: "incus",
    });
    clients.push(lxd);
    const info = await lxd.server.info();
    expect(info).toMatchObject({ auth_user_method: "oidc", auth_user_name: "short-long-session" });
    const firstLife = (expiries[0] as number) - Date.now();
    expect(firstLife).toBeLessThanOrEqual(5000);

    const events = lxd.remote().events({ types: ["operation"] });
    await events.ready;
    const opIds = new Set<string>();
    const reading = (async () => {
      for await (const e of events as AsyncIterable<LxdEvent>) opIds.add((e.metadata as { id?: string }).id ?? "");
    })();

    const lines = SESSION_S * 2;
    const long = await lxd
      .remote()
      .exec(env.container, ["sh", "-c", `i=0; while [ $i -lt ${lines} ]; do echo line-$i; i=$((i+1)); sleep 0.5; done`]);
    const decoder = new TextDecoder();
    let out = "";
    const draining = (async () => {
      const reader = long.stdout.getReader();
      for (let r = await reader.read(); !r.done; r = await reader.read()) out += decoder.decode(r.value, { stream: true });
    })();
    await long.stdin.close();

    const pings: string[] = [];
    const pingOps: string[] = [];
    let k = 0;
    const end = Date.now() + SESSION_S * 1000;
    while (Date.now() < end) {
      const [r, ops] = await Promise.all([lxd.remote().run(env.container, ["echo", `ping-${k}`]), lxd.operations.list()]);
      expect(ops).toBeTypeOf("object");
      pings.push(r.text().trim());
      pingOps.push(r.operation.id);
      k++;
      await new Promise((res) => setTimeout(res, 2000));
    }
    const exit = await long.exited;
    await draining;
    events.close();
    await reading;

    expect(exit.exitCode).toBe(0);
    expect(out).toBe(Array.from({ length: lines }, (_, i) => `line-${i}\n`).join(""));
    expect(pings).toEqual(Array.from({ length: k }, (_, i) => `ping-${i}`));
    expect(pingOps.filter((id) => !opIds.has(id))).toEqual([]);
    expect(opIds.has(long.operation.id)).toBe(true);
    // Refreshed again and again: each save a new 5 s token (the sign-in's, then the refreshes).
    const refreshes = expiries.length - 1;
    console.log(`60 s session: ${refreshes} refreshes, ${k} execs beside the long one, ${lines} lines`);
    expect(refreshes).toBeGreaterThanOrEqual(SESSION_S / 5 - 2);
  });
});
