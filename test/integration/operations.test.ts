// The operations API against the real LXD daemon, over the unix socket and over HTTPS (mTLS).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LxdError, OperationError, OperationGoneError, TlsError, UnsupportedError, type Lxd, type Operation } from "../../src/index.js";
import { clientFor, createTokenOperation, describeServers, remotes } from "./lxd.js";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const randomId = () => crypto.randomUUID();

describeServers("real server: operations", (env) => {
  describe.each(remotes(env))("over %s", (name, remote) => {
    const lxd: Lxd = clientFor(name, remote);
    afterAll(() => lxd.close());
    // An operation ended at the start, so that the servers' 5 s retention has passed by the time
    // the last test of this block looks for it, while the others run (no sleep of its own).
    let gone: { id: string; endedAt: number };
    beforeAll(async () => {
      const id = await createTokenOperation(lxd);
      await lxd.operations.delete(name, id);
      gone = { id, endedAt: Date.now() };
    });

    it("list sees a real running operation; info returns it", async () => {
      const id = await createTokenOperation(lxd);
      try {
        const urls = await lxd.operations.list();
        expect(urls.running).toContain(`/1.0/operations/${id}`);
        const op = await lxd.operations.info(name, id);
        expect(op).toMatchObject({ id, class: "token", status: "Running", status_code: 103, may_cancel: true, err: "" });
      } finally {
        await lxd.operations.delete(name, id);
      }
    });

    it("list({ recursion: true }) agrees with list + info, in one request", async () => {
      const id = await createTokenOperation(lxd);
      try {
        const urls = await lxd.operations.list(name);
        const full = await lxd.operations.list(name, { recursion: true });
        for (const [status, list] of Object.entries(urls)) {
          const viaInfo = await Promise.all((list ?? []).map((u) => lxd.operations.info(name, u).catch(() => undefined)));
          const ids = (full[status] ?? []).map((o) => o.id);
          for (const op of viaInfo.filter((o): o is Operation => o !== undefined && o.status.toLowerCase() === status)) {
            expect(ids).toContain(op.id);
          }
        }
        expect(full.running?.find((o) => o.id === id)).toMatchObject({ class: "token", status_code: 103 });
      } finally {
        await lxd.operations.delete(name, id);
      }
    });

    it("the project option filters: the default project lists the operation, another project does not", async () => {
      const id = await createTokenOperation(lxd);
      try {
        const inDefault = await lxd.operations.list(name, { project: "default" });
        expect(inDefault.running).toContain(`/1.0/operations/${id}`);
        // LXD 5.0.2 does not check that the project exists: it lists what that project has.
        const elsewhere = await lxd.operations.list(name, { project: "no-such-project" });
        expect(Object.values(elsewhere).flat()).not.toContain(`/1.0/operations/${id}`);
      } finally {
        await lxd.operations.delete(name, id);
      }
    });

    it("server.info is GET /1.0: this server's implementation and its API extensions", async () => {
      const info = await lxd.server.info(name);
      expect(info.environment?.server).toBe(env.server);
      expect(info.api_extensions).toContain("container_exec_signal_handling");
    });

    it("allProjects: lists every project where the server has the extension (Incus 6.0), UnsupportedError where not (LXD 5.0.2)", async () => {
      const has = await lxd.server.supports(name, "operations_get_query_all_projects");
      expect(has).toBe(env.server === "incus");
      const id = await createTokenOperation(lxd);
      try {
        if (has) {
          const all = await lxd.operations.list(name, { allProjects: true });
          expect(all.running).toContain(`/1.0/operations/${id}`);
        } else {
          await expect(lxd.operations.list(name, { allProjects: true })).rejects.toBeInstanceOf(UnsupportedError);
        }
      } finally {
        await lxd.operations.delete(name, id);
      }
    });

    it("delete cancels a live token operation, and wait then reports it cancelled", async () => {
      const id = await createTokenOperation(lxd);
      await lxd.operations.delete(name, id);
      const err = await lxd.operations.wait(name, id, { timeout: 10_000 }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(OperationError);
      expect(err).toMatchObject({ statusCode: 401, status: "Cancelled" });
    });

    it("wait times out on a live operation with the state it last saw", async () => {
      const id = await createTokenOperation(lxd);
      try {
        const started = Date.now();
        const err = await lxd.operations.wait(name, id, { timeout: 1500 }).catch((e: unknown) => e);
        expect(err).toMatchObject({ name: "TimeoutError", operation: { id, status_code: 103 } });
        expect(Date.now() - started).toBeGreaterThanOrEqual(1400);
      } finally {
        await lxd.operations.delete(name, id);
      }
    });

    it("wait aborts on signal while LXD holds the request", async () => {
      const id = await createTokenOperation(lxd);
      try {
        const ac = new AbortController();
        setTimeout(() => ac.abort(), 300);
        await expect(lxd.operations.wait(name, id, { signal: ac.signal })).rejects.toMatchObject({ name: "AbortError" });
      } finally {
        await lxd.operations.delete(name, id);
      }
    });

    it("wait follows a real task to success: stopping and starting the container", async () => {
      for (const action of ["stop", "start"] as const) {
        const { data, response } = await lxd.api().PUT("/1.0/instances/{name}/state", {
          params: { path: { name: env.container } },
          body: { action, timeout: 30, force: action === "stop" },
        });
        expect(response.status).toBe(202);
        const id = (data as { metadata: Operation }).metadata.id;
        const done = await lxd.operations.wait(name, id, { timeout: 60_000 });
        expect(done).toMatchObject({ id, class: "task", status: "Success", status_code: 200 });
      }
      const { data } = await lxd.api().GET("/1.0/instances/{name}/state", { params: { path: { name: env.container } } });
      expect((data as { metadata: { status: string } }).metadata.status).toBe("Running");
    });

    it("a non-existent operation id is a typed 404 for info, wait and delete", async () => {
      for (const call of [
        () => lxd.operations.info(name, randomId()),
        () => lxd.operations.wait(name, randomId(), { timeout: 5000 }),
        () => lxd.operations.delete(name, randomId()),
      ]) {
        const err = await call().catch((e: unknown) => e);
        expect(err).toBeInstanceOf(OperationGoneError);
        expect(err).toMatchObject({ status: 404 });
      }
    });

    it("an operation that cannot be cancelled is a clear LxdError", async () => {
      // A stop of a stopped... no: an exec without websockets is a `task` that LXD 5.0 cannot cancel.
      const { data, response } = await lxd.api().POST("/1.0/instances/{name}/exec", {
        params: { path: { name: env.container } },
        body: { command: ["sleep", "3"], "wait-for-websocket": false, interactive: false },
      });
      expect(response.status).toBe(202);
      const id = (data as { metadata: Operation }).metadata.id;
      const err = await lxd.operations.delete(name, id).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(LxdError);
      expect((err as LxdError).message).toMatch(new RegExp(`^cannot cancel operation ${id} on "${name}": `));
      expect((err as LxdError).status).toBe(400);
      await expect(lxd.operations.wait(name, id, { timeout: 15_000 })).resolves.toMatchObject({ status_code: 200 });
    });

    it("wait on an operation that finished over 6 s ago: OperationGoneError, not a hang", async () => {
      await sleep(gone.endedAt + 6500 - Date.now());
      const started = Date.now();
      await expect(lxd.operations.wait(name, gone.id, { timeout: 20_000 })).rejects.toBeInstanceOf(OperationGoneError);
      expect(Date.now() - started).toBeLessThan(5000);
    });
  });

  describe("HTTPS trust", () => {
    const https = (extra: Partial<{ ca: string; fingerprint: string; cert: string; key: string }>) =>
      clientFor("r", { url: env.httpsUrl, cert: env.clientCert, key: env.clientKey, ...extra });

    it("pinning the server's SHA-256 fingerprint works without a CA", async () => {
      const lxd = https({ fingerprint: env.serverFingerprint });
      await expect(lxd.operations.list()).resolves.toBeTypeOf("object");
      await lxd.close();
    });

    it("an untrusted client certificate is a typed 403", async () => {
      const lxd = https({ ca: env.serverCert, cert: env.untrustedCert, key: env.untrustedKey });
      const err = await lxd.operations.list().catch((e: unknown) => e);
      expect(err).toBeInstanceOf(LxdError);
      expect(err).toMatchObject({ status: 403, errorCode: 403, method: "GET", path: "/1.0/operations" });
      await lxd.close();
    });

    it("a server certificate the trusted CA did not sign is a TlsError, never a fallback", async () => {
      const lxd = https({ ca: env.otherCa });
      expect(await lxd.operations.list().catch((e: unknown) => e)).toBeInstanceOf(TlsError);
      await lxd.close();
    });

    it("no CA and no fingerprint: the system store refuses LXD's self-signed certificate", async () => {
      const lxd = https({});
      expect(await lxd.operations.list().catch((e: unknown) => e)).toBeInstanceOf(TlsError);
      await lxd.close();
    });

    it("a wrong pinned fingerprint is refused", async () => {
      const wrong = env.serverFingerprint.replace(/^./, (c) => (c === "0" ? "1" : "0"));
      const lxd = https({ fingerprint: wrong });
      const err = await lxd.operations.list().catch((e: unknown) => e);
      expect(err).toBeInstanceOf(TlsError);
      expect(err).toMatchObject({ code: "ERR_LXD_FINGERPRINT_MISMATCH" });
      await lxd.close();
    });
  });
});
