// The request hooks' headers on websockets: lxd-fetch's Node websocket sends them with the
// upgrade request (a real server on 127.0.0.1 reads them), and the hand-written upgrade of the
// Deno and Bun transports carries them, never overriding the handshake's own headers.
import { createHash } from "node:crypto";
import { createServer, type IncomingMessage } from "node:http";
import type { Socket } from "node:net";
import { describe, expect, it } from "vitest";
import { createLxd } from "../src/index.js";
import { upgradeRequest } from "../src/transport/handshake.js";

describe("hooks on websockets", () => {
  it("the Node transport's events socket is opened with the headers beforeRequest sets", async () => {
    const upgrades: IncomingMessage[] = [];
    const sockets: Socket[] = [];
    const server = createServer((_req, res) => res.writeHead(404).end());
    server.on("upgrade", (req: IncomingMessage, socket: Socket) => {
      upgrades.push(req);
      sockets.push(socket);
      const accept = createHash("sha1").update(`${req.headers["sec-websocket-key"]}258EAFA5-E914-47DA-95CA-C5AB0DC85B11`).digest("base64");
      socket.write(
        `HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\n\r\n`,
      );
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as { port: number };
    const lxd = createLxd({
      remotes: { r: { url: `http://127.0.0.1:${port}` } },
      hooks: {
        beforeRequest: [
          async (request) => {
            const r = new Request(request);
            r.headers.set("authorization", "Bearer t0k3n");
            return r;
          },
        ],
      },
    });
    const sub = lxd
      .remote("r")
      .project("p1")
      .events({ types: ["operation"] });
    await sub.ready;
    expect(upgrades).toHaveLength(1);
    expect(upgrades[0]?.headers.authorization).toBe("Bearer t0k3n");
    expect(upgrades[0]?.url).toBe("/1.0/events?type=operation&project=p1");
    sub.close();
    await lxd.close();
    for (const s of sockets) s.destroy();
    await new Promise((resolve) => server.close(resolve));
  });

  it("the hand-written upgrade request carries extra headers but never replaces the handshake's", () => {
    const text = new TextDecoder().decode(
      upgradeRequest("wss://h:8443/1.0/events", "k3y", { authorization: "Bearer x", host: "evil", "sec-websocket-key": "no" }),
    );
    expect(text).toContain("\r\nauthorization: Bearer x\r\n");
    expect(text).toContain("\r\nHost: h:8443\r\n");
    expect(text).not.toContain("evil");
    expect(text.match(/sec-websocket-key/gi)).toHaveLength(1);
    expect(text.endsWith("\r\n\r\n")).toBe(true);
  });
});
