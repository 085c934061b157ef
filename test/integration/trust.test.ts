// Trust against the real servers: a token made over the unix socket enrols a fresh client
// certificate over HTTPS, which can then call the API; tokens are listed and revoked over both
// transports; the certificate is removed at the end.
import { afterAll, describe, expect, it } from "vitest";
import { createLxd, decodeTrustToken, InvalidArgumentError, LxdError, type Lxd } from "../../src/index.js";
import { selfSigned } from "../support/certs.js";
import { clientFor, describeServers, remotes } from "./lxd.js";

const unique = () => Math.random().toString(36).slice(2, 8);

describeServers("real server: trust", (env) => {
  const local = clientFor("unix", { socket: env.socket });
  const removeLater = new Set<string>();
  afterAll(async () => {
    for (const fp of removeLater) await local.trust.remove("unix", fp).catch(() => undefined);
    await local.close();
  });

  it("a token made over the socket enrols a fresh certificate over HTTPS, which can then call the API", async () => {
    const name = `lfa-enrol-${unique()}`;
    const fresh = selfSigned(name);
    const made = await local.trust.createToken("unix", name);
    expect(made.name).toBe(name);
    const data = decodeTrustToken(made.token);
    expect(data).toMatchObject({ client_name: name, fingerprint: env.serverFingerprint });
    expect(await local.trust.tokens("unix", (ts) => ts.map((t) => t.id))).toContain(made.id);

    // The token pins the server's certificate: the new client needs nothing else to trust it.
    const client = createLxd({
      remotes: { far: { url: env.httpsUrl, cert: fresh.cert, key: fresh.key, fingerprint: data.fingerprint } },
      defaultRemote: "far",
    });
    try {
      expect((await client.server.info("far")).auth).toBe("untrusted");
      await expect(client.instances.list("far")).rejects.toMatchObject({ name: "LxdError", status: 403 });
      removeLater.add(fresh.fingerprint);
      await client.trust.enrol("far", made.token);
      expect((await client.server.info("far", { refresh: true })).auth).toBe("trusted");
      expect(await client.instances.list("far")).toContain(env.container);

      const trusted = await local.trust.list("unix");
      expect(trusted.find((c) => c.fingerprint === fresh.fingerprint)).toMatchObject({ name, type: "client" });
      expect((await local.trust.tokens("unix")).map((t) => t.id)).not.toContain(made.id); // single use

      await local.trust.remove("unix", fresh.fingerprint);
      removeLater.delete(fresh.fingerprint);
      expect((await local.trust.list("unix")).map((c) => c.fingerprint)).not.toContain(fresh.fingerprint);
    } finally {
      await client.close();
    }
  });

  describe.each(remotes(env))("over %s", (remoteName, remote) => {
    const lxd: Lxd = clientFor(remoteName, remote);
    afterAll(() => lxd.close());

    it("a revoked token is listed no more and enrols nobody (403)", async () => {
      const name = `lfa-revoke-${unique()}`;
      const made = await lxd.trust.createToken(remoteName, name);
      expect((await lxd.trust.tokens(remoteName)).find((t) => t.id === made.id)).toMatchObject({ name, token: made.token });
      await lxd.trust.revokeToken(remoteName, made.id);
      expect((await lxd.trust.tokens(remoteName)).map((t) => t.id)).not.toContain(made.id);

      const fresh = selfSigned(name);
      const client = createLxd({ remotes: { far: { url: env.httpsUrl, cert: fresh.cert, key: fresh.key, ca: env.serverCert } } });
      try {
        const refused = await client.trust.enrol("far", made.token).catch((e: unknown) => e);
        expect(refused).toBeInstanceOf(LxdError);
        expect((refused as LxdError).status).toBe(403);
        expect((refused as LxdError).message).not.toContain(decodeTrustToken(made.token).secret);
      } finally {
        await client.close();
      }
    });

    it("bad tokens and names are refused before sending, without quoting the token", async () => {
      const err = await lxd.trust.enrol(remoteName, "bm90IGEgdG9rZW4=").catch((e: unknown) => e);
      expect(err).toBeInstanceOf(InvalidArgumentError);
      expect((err as Error).message).not.toContain("bm90IGEgdG9rZW4");
      await expect(lxd.trust.createToken(remoteName, "")).rejects.toBeInstanceOf(InvalidArgumentError);
      await expect(lxd.trust.remove(remoteName, "../x")).rejects.toBeInstanceOf(InvalidArgumentError);
    });
  });
});
