// The Node transport against real local servers: mutual TLS with a trusted CA or a pinned
// fingerprint, refusals that are TlsErrors (never a silent fallback), and the unix socket.
import { createServer as createHttpServer, type Server } from "node:http";
import { createServer as createHttpsServer } from "node:https";
import { mkdtempSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TLSSocket } from "node:tls";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ConnectionError, createLxd, InvalidArgumentError, localSocketPath, TlsError } from "../src/index.js";
import { envelope } from "../src/mock/envelopes.js";
import { selfSigned } from "./support/certs.js";

const server = selfSigned("lxd-test-server");
const clientId = selfSigned("lxd-test-client");
const stranger = selfSigned("someone-else");

const syncBody = (metadata: unknown) => JSON.stringify(envelope("sync", { metadata }));

let https: Server;
let url = "";
const seen: { path: string; clientCN: string }[] = [];

beforeAll(async () => {
  https = createHttpsServer({ cert: server.cert, key: server.key, requestCert: true, rejectUnauthorized: false }, (req, res) => {
    const peer = (req.socket as TLSSocket).getPeerCertificate();
    seen.push({ path: req.url ?? "", clientCN: String(peer?.subject?.CN) });
    res.setHeader("content-type", "application/json");
    res.end(syncBody({ running: [] }));
  });
  await new Promise<void>((r) => https.listen(0, "127.0.0.1", r));
  url = `https://127.0.0.1:${(https.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((r) => https.close(() => r())));

async function listVia(
  remote: Parameters<typeof createLxd>[0] extends infer O ? (O extends { remotes?: infer R } ? R[keyof R] : never) : never,
) {
  const lxd = createLxd({ remotes: { r: remote }, defaultRemote: "r" });
  try {
    return await lxd.operations.list();
  } finally {
    await lxd.close();
  }
}

const failure = (p: Promise<unknown>) =>
  p.then(
    () => undefined,
    (e: unknown) => e,
  );

describe("HTTPS remote (Node transport)", () => {
  it("verifies the server against `ca` and presents the client certificate", async () => {
    seen.length = 0;
    await expect(listVia({ url, ca: server.cert, cert: clientId.cert, key: clientId.key })).resolves.toEqual({ running: [] });
    expect(seen).toEqual([{ path: "/1.0/operations", clientCN: "lxd-test-client" }]);
  });

  it("pins the server by SHA-256 fingerprint, with or without colons", async () => {
    const colons = server.fingerprint.toUpperCase().match(/../g)!.join(":");
    await expect(listVia({ url, fingerprint: server.fingerprint, cert: clientId.cert, key: clientId.key })).resolves.toEqual({
      running: [],
    });
    await expect(listVia({ url, fingerprint: colons })).resolves.toEqual({ running: [] });
  });

  it("a pinned fingerprint and a CA must both match when both are given", async () => {
    await expect(listVia({ url, ca: server.cert, fingerprint: server.fingerprint })).resolves.toEqual({ running: [] });
    expect(await failure(listVia({ url, ca: stranger.cert, fingerprint: server.fingerprint }))).toBeInstanceOf(TlsError);
  });

  it("a server certificate not signed by the trusted CA is a TlsError, and no request is sent", async () => {
    seen.length = 0;
    const err = await failure(listVia({ url, ca: stranger.cert, cert: clientId.cert, key: clientId.key }));
    expect(err).toBeInstanceOf(TlsError);
    expect(err).toBeInstanceOf(ConnectionError);
    expect((err as TlsError).code).toMatch(/SELF_SIGNED|UNABLE_TO_VERIFY/);
    expect(seen).toEqual([]);
  });

  it("without a CA or fingerprint the system store decides: a self-signed server is refused", async () => {
    expect(await failure(listVia({ url }))).toBeInstanceOf(TlsError);
  });

  it("a wrong pinned fingerprint is refused before any request", async () => {
    seen.length = 0;
    const err = await failure(listVia({ url, fingerprint: stranger.fingerprint, cert: clientId.cert, key: clientId.key }));
    expect(err).toBeInstanceOf(TlsError);
    expect(err).toMatchObject({ code: "ERR_LXD_FINGERPRINT_MISMATCH" });
    expect((err as Error).message).toContain(server.fingerprint);
    expect(seen).toEqual([]);
  });

  it("the client key never appears in an error", async () => {
    const err = (await failure(listVia({ url, ca: stranger.cert, cert: clientId.cert, key: clientId.key }))) as Error;
    const keyBody = clientId.key.split("\n")[1]!;
    expect(`${err.message} ${String(err.stack)} ${JSON.stringify(err)}`).not.toContain(keyBody);
  });

  it("a refused connection is a ConnectionError with the system code", async () => {
    // A port that was free a moment ago (fetch refuses "bad ports" such as 1 before connecting).
    const probe = createHttpServer();
    await new Promise<void>((r) => probe.listen(0, "127.0.0.1", r));
    const port = (probe.address() as AddressInfo).port;
    await new Promise<void>((r) => probe.close(() => r()));
    const err = await failure(listVia({ url: `https://127.0.0.1:${port}`, ca: server.cert }));
    expect(err).toBeInstanceOf(ConnectionError);
    expect(err).not.toBeInstanceOf(TlsError);
    expect(err).toMatchObject({ code: "ECONNREFUSED", remote: "r", path: "/1.0/operations" });
  });

  it.each([
    [{ url: "ftp://x" }, /must be https/],
    [{ url: "not a url" }, /is not a URL/],
    [{ url: "http://127.0.0.1:1", cert: "x" }, /certificates need an https/],
    [{ url: "https://127.0.0.1:1", fingerprint: "abc" }, /fingerprint must be a SHA-256/],
  ])("refuses the bad remote %j when the client is created", (remote, message) => {
    expect(() => createLxd({ remotes: { r: remote } })).toThrow(InvalidArgumentError);
    expect(() => createLxd({ remotes: { r: remote } })).toThrow(message);
  });

  it("refuses an unknown defaultRemote", () => {
    expect(() => createLxd({ defaultRemote: "prod" })).toThrow(/defaultRemote "prod" is not a configured remote/);
  });
});

describe("unix socket remote", () => {
  it("talks HTTP over the socket", async () => {
    const socket = join(mkdtempSync(join(tmpdir(), "lxd-fetch-sock-")), "unix.socket");
    const http = createHttpServer((req, res) => res.end(syncBody({ success: [req.url] })));
    await new Promise<void>((r) => http.listen(socket, r));
    try {
      await expect(listVia({ socket })).resolves.toEqual({ success: ["/1.0/operations"] });
    } finally {
      await new Promise<void>((r) => http.close(() => r()));
    }
  });

  it("a missing socket is a ConnectionError naming the remote", async () => {
    const err = await failure(listVia({ socket: "/nonexistent/lxd/unix.socket" }));
    expect(err).toBeInstanceOf(ConnectionError);
    expect(err).toMatchObject({ code: "ENOENT", remote: "r" });
  });

  it("local is $LXD_DIR/unix.socket, else the Debian path, else the snap path", () => {
    expect(localSocketPath({ LXD_DIR: "/srv/lxd" })).toBe("/srv/lxd/unix.socket");
    expect(localSocketPath({})).toMatch(/^\/var\/(lib\/lxd|snap\/lxd\/common\/lxd)\/unix\.socket$/);
  });
});
