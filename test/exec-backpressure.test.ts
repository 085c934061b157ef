// Backpressure in exec over a socket that can pause (the Node transport's can; MSW's cannot, so
// a wrapper holds its events while paused): a reader's pace holds the socket back, and nothing
// about it can make exec hang (an unread stream, a reader that cancels, an abort).
import { setupServer } from "msw/node";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { AbortError, createLxd, type Lxd } from "../src/index.js";
import { createVirtualLxd } from "../src/mock/index.js";
import { pausableWebSocket } from "./support/pausable.js";
import { until } from "./support/virtual.js";

const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: "error" }));
afterAll(() => server.close());
const clients: Lxd[] = [];
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
  server.resetHandlers();
});

const CHUNK = 64 * 1024;
const CHUNKS = 48; // 3 MiB: three times the stream's high-water mark

function start(slowAfterMs = 0) {
  const virtual = createVirtualLxd({
    commands: {
      big: async (p) => {
        // Paced, as a real command's output arrives: the reader locks the stream meanwhile.
        for (let i = 0; i < CHUNKS; i++) {
          p.stdout(new Uint8Array(CHUNK).fill(i));
          await new Promise((r) => setTimeout(r, 1));
        }
        if (slowAfterMs) await new Promise((r) => setTimeout(r, slowAfterMs));
        return 0;
      },
    },
  });
  server.use(...virtual.handlers);
  const { WebSocket, stats } = pausableWebSocket();
  const client = createLxd({ remotes: { v: { url: virtual.baseUrl } }, defaultRemote: "v", WebSocket });
  clients.push(client);
  return { client, stats };
}

const within = <T>(p: Promise<T>, ms: number) =>
  Promise.race([p, new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`still pending after ${ms} ms`)), ms))]);

describe("exec backpressure", () => {
  it("a slow reader pauses the socket and still gets every byte, in order", async () => {
    const { client, stats } = start();
    const proc = await client.exec("v", "c1", ["big"]);
    const reader = proc.stdout.getReader(); // locked before the output comes: backpressure applies
    await proc.stdin.close();
    await until(() => stats.pauses > 0, 5000); // the unread output reached the high-water mark
    const got: number[] = [];
    let bytes = 0;
    for (let r = await reader.read(); !r.done; r = await reader.read()) {
      for (let i = 0; i < r.value.byteLength; i += CHUNK) got.push(r.value[i]!);
      bytes += r.value.byteLength;
      await new Promise((res) => setTimeout(res, 2));
    }
    expect(bytes).toBe(CHUNK * CHUNKS);
    expect(got).toEqual(Array.from({ length: CHUNKS }, (_, i) => i));
    expect(stats.resumes).toBeGreaterThan(0);
    await expect(within(proc.exited, 5000)).resolves.toMatchObject({ exitCode: 0 });
  });

  it("output nobody reads is buffered, never paused: exited settles", async () => {
    const { client, stats } = start();
    const proc = await client.exec("v", "c1", ["big"]);
    await proc.stdin.close();
    await expect(within(proc.exited, 5000)).resolves.toMatchObject({ exitCode: 0 });
    expect(stats.pauses).toBe(0);
    const all = new Uint8Array(await new Response(proc.stdout).arrayBuffer());
    expect(all.byteLength).toBe(CHUNK * CHUNKS);
  });

  it("a reader that cancels while the socket is paused: the socket drains, exited settles", async () => {
    const { client, stats } = start();
    const proc = await client.exec("v", "c1", ["big"]);
    await proc.stdin.close();
    const reader = proc.stdout.getReader();
    await reader.read();
    await until(() => stats.pauses > 0, 5000); // the queue fills up: paused
    await reader.cancel();
    await expect(within(proc.exited, 5000)).resolves.toMatchObject({ exitCode: 0 });
  });

  it("an abort while the socket is paused rejects exited with AbortError, promptly", async () => {
    const { client, stats } = start(60_000);
    const ac = new AbortController();
    const proc = await client.exec("v", "c1", ["big"], { signal: ac.signal });
    const reader = proc.stdout.getReader();
    await reader.read();
    await until(() => stats.pauses > 0, 5000);
    ac.abort();
    await expect(within(proc.exited, 5000)).rejects.toBeInstanceOf(AbortError);
  });
});
