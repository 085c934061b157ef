// OIDC sign-in against the real Incus 6.0.4 and the real identity provider of scripts/idp-up.sh
// (docs/oidc.md): the device flow completed by the test acting as the user, the bearer on
// requests and websockets (exec, events), sessions crossing refreshes of 5 s access tokens, a
// revoked refresh token, and LXD 5.0.2 (no OIDC) refused before anything but GET /1.0 is sent.
import { inspect } from "node:util";
import { afterAll, describe, expect, it } from "vitest";
import {
  AuthError,
  createLxd,
  type DeviceCodePrompt,
  type Lxd,
  type LxdEvent,
  memoryTokenStore,
  nodeTransport,
  type OidcTokens,
  oidcAuth,
  type RemoteConfig,
  type TokenStore,
  UnsupportedError,
} from "../../src/index.js";
import { approveDevice, revokeAtIdp } from "../support/idp-user.mjs";
import { describeServers, type LxdEnv } from "./lxd.js";

/** A token store the test can read, counting the tokens saved (one per sign-in or refresh). */
function watchedStore(): TokenStore & { saves: number; current(): OidcTokens | undefined } {
  const inner = memoryTokenStore();
  let saves = 0;
  let held: OidcTokens | undefined;
  return {
    load: () => inner.load(),
    save(t) {
      if (t) saves++;
      held = t;
      return inner.save(t);
    },
    get saves() {
      return saves;
    },
    current: () => held,
  };
}

/** The IdP's token endpoint calls, counted through the fetch the sign-in uses. */
function countingFetch() {
  const calls: string[] = [];
  const f: typeof fetch = (input, init) => {
    const url = typeof input === "string" ? input : input instanceof URL ? input.href : input.url;
    calls.push(new URL(url).pathname);
    return fetch(input, init);
  };
  return { fetch: f, tokenCalls: () => calls.filter((p) => p === "/token").length };
}

/** Only the server's certificate: no client certificate, so OIDC is the only way in. */
const bare = (env: LxdEnv): RemoteConfig => ({ url: env.httpsUrl, ca: env.serverCert });

describeServers("real server: OIDC sign-in", (env) => {
  if (env.server === "lxd") {
    it("LXD 5.0.2 has no OIDC: UnsupportedError, with only GET /1.0 sent and no device flow", async () => {
      const sent: string[] = [];
      const prompts: DeviceCodePrompt[] = [];
      const lxd = createLxd({
        remotes: { r: { ...bare(env), auth: { oidc: { onDeviceCode: (p) => void prompts.push(p) } } } },
        defaultRemote: "r",
        transport: (name, config) => {
          const t = nodeTransport(name, config);
          return {
            ...t,
            fetch: (input, init) => {
              const req = new Request(input, init);
              sent.push(`${req.method} ${new URL(req.url).pathname} ${req.headers.has("authorization") ? "bearer" : "none"}`);
              return t.fetch(input, init);
            },
          };
        },
      });
      try {
        const err = await lxd.operations.list().catch((e: unknown) => e);
        expect(err).toBeInstanceOf(UnsupportedError);
        expect(err).toMatchObject({ extension: "oidc", remote: "r" });
        expect(sent).toEqual(["GET /1.0 none"]);
        expect(prompts).toEqual([]);
      } finally {
        await lxd.close();
      }
    });
    return;
  }

  const c = env.container;
  const clients: Lxd[] = [];
  afterAll(() => Promise.all(clients.map((l) => l.close())));
  /** A client signed in as `login` through the device flow the test completes as the user. */
  const signIn = (login: string, store: TokenStore, extra: { fetch?: typeof fetch } = {}) => {
    const prompts: DeviceCodePrompt[] = [];
    const lxd = createLxd({
      remotes: {
        incus: {
          ...bare(env),
          auth: {
            oidc: {
              store,
              ...extra,
              onDeviceCode: async (p) => {
                prompts.push(p);
                await approveDevice(p.verificationUriComplete ?? p.verificationUri, login);
              },
            },
          },
        },
      },
      defaultRemote: "incus",
    });
    clients.push(lxd);
    return { lxd, prompts };
  };

  it("device flow as the user, then operations.list, exec and events with the bearer", { timeout: 60_000 }, async () => {
    const store = watchedStore();
    const { lxd, prompts } = signIn("alice", store);
    const info = await lxd.server.info();
    expect(prompts).toHaveLength(1);
    expect(prompts[0]).toMatchObject({ userCode: expect.any(String), verificationUri: "http://127.0.0.1:9999/device" });
    expect(info).toMatchObject({ auth: "trusted", auth_user_name: "alice", auth_user_method: "oidc" });
    expect(await lxd.operations.list()).toBeTypeOf("object");

    const events = lxd.remote().events({ types: ["operation"] });
    await events.ready;
    const seen: LxdEvent[] = [];
    const reading = (async () => {
      for await (const e of events) {
        seen.push(e);
        if (seen.length >= 1) break;
      }
    })();
    const r = await lxd.remote().run(c, ["sh", "-c", "echo signed-in; echo err >&2"]);
    expect({ code: r.exitCode, out: r.text(), err: r.text("stderr") }).toEqual({ code: 0, out: "signed-in\n", err: "err\n" });
    await reading;
    expect(seen[0]?.type).toBe("operation");
    events.close();
    expect(store.saves).toBe(1); // one sign-in, no refresh (1 h tokens)
  });

  it("5 s access tokens: a session of exec, operations and one events socket crosses two refreshes, nothing lost", {
    timeout: 90_000,
  }, async () => {
    const store = watchedStore();
    const { lxd } = signIn("short-bob", store);
    const got: string[] = [];
    const opEvents: LxdEvent[] = [];
    const events = lxd.remote().events({ types: ["operation"] });
    await events.ready;
    const reading = (async () => {
      for await (const e of events) opEvents.push(e);
    })();
    const started = Date.now();
    let i = 0;
    // 12 s: refreshes are due 4 s into each 5 s token, so at least two happen.
    while (Date.now() - started < 12_000) {
      const [r, ops] = await Promise.all([lxd.remote().run(c, ["echo", `line-${i}`]), lxd.operations.list()]);
      expect(ops).toBeTypeOf("object");
      got.push(r.text().trim());
      i++;
      await new Promise((res) => setTimeout(res, 500));
    }
    events.close();
    await reading;
    expect(got).toEqual(Array.from({ length: i }, (_, k) => `line-${k}`));
    expect(store.saves).toBeGreaterThanOrEqual(3); // the sign-in and two refreshes or more
    // Every exec's operation was seen on the one events socket opened with the first token.
    const execs = new Set(opEvents.map((e) => (e.metadata as { id?: string }).id));
    expect(execs.size).toBeGreaterThanOrEqual(i);
  });

  it("concurrent requests with a due token share one refresh", { timeout: 60_000 }, async () => {
    const store = watchedStore();
    const idp = countingFetch();
    const { lxd } = signIn("alice", store, { fetch: idp.fetch });
    await lxd.server.info();
    const before = idp.tokenCalls(); // the device flow's
    const t = store.current() as OidcTokens;
    await store.save({ ...t, refreshAt: Date.now() - 1 }); // due now
    await Promise.all(Array.from({ length: 6 }, () => lxd.operations.list()));
    expect(idp.tokenCalls() - before).toBe(1);
    expect(store.current()?.accessToken).not.toBe(t.accessToken);
  });

  it("a revoked refresh token: one refresh attempt, then AuthError (no loop), secrets nowhere in it", { timeout: 60_000 }, async () => {
    const store = watchedStore();
    const idp = countingFetch();
    const { lxd } = signIn("alice", store, { fetch: idp.fetch });
    await lxd.server.info();
    const t = store.current() as OidcTokens;
    await revokeAtIdp("http://127.0.0.1:9999", "incus", t.refreshToken as string);
    // A refused access token (not one Incus accepts) with the revoked refresh token.
    await store.save({ ...t, accessToken: "not-a-jwt" });
    const before = idp.tokenCalls();
    const err = await lxd.operations.list().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AuthError);
    expect(err).toMatchObject({ remote: "incus", oauthError: "invalid_grant" });
    expect(idp.tokenCalls() - before).toBe(1);
    const shown = `${inspect(err, { depth: 10 })} ${String(err)} ${JSON.stringify(err)}`;
    for (const secret of [t.accessToken, t.refreshToken as string]) expect(shown).not.toContain(secret);
    expect(store.current()).toBeUndefined(); // forgotten: the next call signs in anew
  });

  it("a refresh failing mid-exec: the exec ends typed (its output whole, or AuthError), never hangs", { timeout: 60_000 }, async () => {
    const store = watchedStore();
    const { lxd } = signIn("erin", store);
    await lxd.server.info();
    const t = store.current() as OidcTokens;
    const started = Date.now();
    const running = lxd
      .remote()
      .run(c, ["sh", "-c", "sleep 2; echo done"])
      .then(
        (r) => r.text(),
        (e: unknown) => e,
      );
    await new Promise((r) => setTimeout(r, 500));
    await revokeAtIdp("http://127.0.0.1:9999", "incus", t.refreshToken as string);
    await store.save({ ...t, accessToken: "not-a-jwt", refreshAt: 0 });
    const outcome = await running;
    expect(Date.now() - started).toBeLessThan(20_000);
    if (typeof outcome === "string") expect(outcome).toBe("done\n");
    else expect(outcome).toBeInstanceOf(AuthError);
  });

  it("tokens the app already has, and a bearer source of its own (exec over websockets)", { timeout: 60_000 }, async () => {
    const store = watchedStore();
    await signIn("carol", store).lxd.server.info();
    const tokens = store.current() as OidcTokens;
    const withTokens = createLxd({ remotes: { incus: { ...bare(env), auth: { oidc: { tokens } } } }, defaultRemote: "incus" });
    clients.push(withTokens);
    expect(await withTokens.server.info()).toMatchObject({ auth_user_name: "carol", auth_user_method: "oidc" });
    const asked: (string | undefined)[] = [];
    const own = createLxd({
      remotes: {
        incus: {
          ...bare(env),
          auth: {
            bearer: {
              token: async (req) => {
                asked.push(req.refused);
                return tokens.accessToken;
              },
            },
          },
        },
      },
      defaultRemote: "incus",
    });
    clients.push(own);
    const r = await own.remote().run(c, ["echo", "own-bearer"]);
    expect(r.text()).toBe("own-bearer\n");
    expect(asked.every((x) => x === undefined)).toBe(true);
  });

  it("without tokens and without onDeviceCode: AuthError, nothing hangs", async () => {
    const lxd = createLxd({ remotes: { incus: { ...bare(env), auth: { oidc: {} } } }, defaultRemote: "incus" });
    clients.push(lxd);
    await expect(lxd.operations.list()).rejects.toThrow(AuthError);
  });
});

describe("auth options", () => {
  it("one bearer source for two remotes is refused (a token goes only to its own server)", () => {
    const bearer = oidcAuth({});
    expect(() =>
      createLxd({ remotes: { a: { url: "https://127.0.0.1:1", auth: { bearer } }, b: { url: "https://127.0.0.1:2", auth: { bearer } } } }),
    ).toThrow(/already remote "a"'s/);
  });
});
