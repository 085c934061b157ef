// The console against the virtual LXD (a line-echoing shell behind fds 0 and control), and its
// error paths.
import { http } from "msw";
import { describe, expect, it } from "vitest";
import { InvalidArgumentError, LxdError } from "../src/index.js";
import { MOCK_PROMPT } from "../src/mock/index.js";
import { BASE, client, lxdError } from "./support/mock.js";
import { useVirtualLxd } from "./support/virtual.js";

const v = useVirtualLxd();
const enc = new TextEncoder();

async function readUntil(reader: ReadableStreamDefaultReader<Uint8Array>, want: string): Promise<string> {
  let got = "";
  const dec = new TextDecoder();
  while (!got.includes(want)) {
    const r = await reader.read();
    if (r.done) break;
    got += dec.decode(r.value, { stream: true });
  }
  return got;
}

describe("console", () => {
  it("writes keys, reads the prompt, resizes, and closes (the operation ends)", async () => {
    const { client, lxd } = v.start();
    const con = await client.console(undefined, "c1", { width: 100, height: 30 });
    expect(lxd.consoles.get("c1").size).toEqual({ width: 100, height: 30 });
    const reader = con.readable.getReader();
    const writer = con.writable.getWriter();
    await writer.write(enc.encode("echo hi\r"));
    expect(await readUntil(reader, MOCK_PROMPT)).toBe(`echo hi\r\n${MOCK_PROMPT}`);
    await con.resize(120, 40);
    await expect.poll(() => lxd.consoles.get("c1").size).toEqual({ width: 120, height: 40 });
    const tail = readUntil(reader, "never");
    lxd.consoles.get("c1").closed.length = 0;
    await con.close();
    expect(await tail).toBe(""); // the data socket closed first: nothing more is read
    expect((await con.operation.wait()).status).toBe("Success");
    // Data first, control after: LXD 5.0.2 crashes on the other order (src/console.ts).
    await expect.poll(() => lxd.consoles.get("c1").closed).toEqual(["0", "control"]);
    await expect(con.resize(80, 25)).rejects.toThrow(/control is closed/);
  });

  it("closing the writable detaches; the log keeps what the console wrote and clears", async () => {
    const { client } = v.start();
    const con = await client.console(undefined, "c1");
    const writer = con.writable.getWriter();
    await writer.write(enc.encode("ls\r"));
    const reader = con.readable.getReader();
    await readUntil(reader, MOCK_PROMPT);
    await writer.close();
    await con.closed;
    expect(await client.console.log(undefined, "c1")).toBe(`ls\r\n${MOCK_PROMPT}`);
    await client.console.clearLog(undefined, "c1");
    expect(await client.console.log(undefined, "c1")).toBe("");
  });

  it("an abort signal detaches", async () => {
    const { client } = v.start();
    const ac = new AbortController();
    const con = await client.console(undefined, "c1", { signal: ac.signal });
    ac.abort();
    await con.closed;
    expect((await con.operation.wait()).status).toBe("Success");
  });

  it("a stopped instance is LXD's 400; an unknown one 404", async () => {
    const { client, lxd } = v.start({ instances: ["c1", "c2"] });
    Object.assign(lxd.instances.get("c2")!, { status: "Stopped", status_code: 102 });
    await expect(client.console(undefined, "c2")).rejects.toMatchObject({
      name: "LxdError",
      status: 400,
      lxdMessage: "Instance is not running",
    });
    await expect(client.console(undefined, "c9")).rejects.toMatchObject({ status: 404 });
    await expect(client.console.log(undefined, "c9")).rejects.toBeInstanceOf(LxdError);
  });

  it("bad input is refused before anything is sent", async () => {
    const { client, lxd } = v.start();
    await expect(client.console(undefined, "../c1")).rejects.toBeInstanceOf(InvalidArgumentError);
    await expect(client.console(undefined, "c1", { width: 0 })).rejects.toBeInstanceOf(InvalidArgumentError);
    await expect(client.console.clearLog(undefined, "c1", { project: "a/b" })).rejects.toBeInstanceOf(InvalidArgumentError);
    expect(lxd.requests).toEqual([]);
    const con = await client.console(undefined, "c1");
    await expect(con.resize(0, 10)).rejects.toBeInstanceOf(InvalidArgumentError);
    await con.close();
  });

  it("clearLog's error envelope is an LxdError", async () => {
    v.server.use(http.delete(`${BASE}/1.0/instances/c1/console`, () => lxdError(500, "Instance is not container type")));
    await expect(client().console.clearLog(undefined, "c1")).rejects.toMatchObject({
      status: 500,
      lxdMessage: "Instance is not container type",
    });
  });
});
