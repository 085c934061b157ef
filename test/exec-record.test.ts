// run() through the server's record of the output (`record-output`, no websockets): what it sends,
// what it reads and deletes, its typed failures, when "auto" takes it, and, with the servers'
// own race reproduced (the stderr tail dropped before a normal end-of-stream), which path loses
// output: the streamed one does, the recorded one cannot.
import { HttpResponse, http } from "msw";
import { describe, expect, it } from "vitest";
import { ExecRecordError, InvalidArgumentError, OperationError } from "../src/index.js";
import type { VirtualLxd } from "../src/mock/index.js";
import type { Operation } from "../src/types/lxd.js";
import { asyncOp, op, sync } from "./support/mock.js";
import { useVirtualLxd } from "./support/virtual.js";

const SCRIPT = ["sh", "-c", "echo out-1; echo err-1 >&2; echo end-1 >&2; exit 2"];

describe("run() with recorded output", () => {
  const v = useVirtualLxd();

  it("by default (no input, no signal): one POST without websockets, both files read then deleted", async () => {
    const { client, lxd } = v.start();
    const r = await client.run("v", "c1", SCRIPT);
    expect({
      output: r.output,
      exit: r.exitCode,
      out: r.text(),
      err: r.text("stderr"),
      attempts: r.attempts,
      leftover: r.leftover,
    }).toEqual({
      output: "record",
      exit: 2,
      out: "out-1\n",
      err: "err-1\nend-1\n",
      attempts: 1,
      leftover: undefined,
    });
    const file = (s: string) => `/1.0/instances/c1/logs/exec_${r.operation.id}.${s}`;
    expect(r.operation.metadata?.output).toEqual({ "1": file("stdout"), "2": file("stderr") });
    const sent = lxd.requests.filter((q) => !q.startsWith("WS /1.0/events") && !q.startsWith("GET /1.0/operations/"));
    expect(sent.sort()).toEqual(
      [
        "POST /1.0/instances/c1/exec",
        `GET ${file("stdout")}`,
        `GET ${file("stderr")}`,
        `DELETE ${file("stdout")}`,
        `DELETE ${file("stderr")}`,
      ].sort(),
    );
    expect(lxd.requests.some((q) => q.startsWith("WS /1.0/operations"))).toBe(false);
    expect(lxd.logs.get("c1")?.size).toBe(0);
  });

  it("sends record-output without wait-for-websocket, and the project to every call", async () => {
    const { client, lxd } = v.start();
    const bodies: unknown[] = [];
    v.server.events.on("request:start", ({ request }) => {
      if (request.method === "POST" && request.url.includes("/exec"))
        void request
          .clone()
          .json()
          .then((b) => bodies.push(b));
    });
    await client.run("v", "c1", ["true"], { project: "p1" });
    expect(bodies[0]).toMatchObject({ command: ["true"], "wait-for-websocket": false, "record-output": true, interactive: false });
    const calls = lxd.requests.filter((q) => /exec|logs/.test(q));
    expect(calls).toHaveLength(5);
    for (const q of calls) expect(q).toMatch(/\?project=p1$/);
    v.server.events.removeAllListeners();
  });

  it("a command that is not found is exit code 127 with its operation, files deleted", async () => {
    const { client, lxd } = v.start();
    const r = await client.run("v", "c1", ["no-such-command"]);
    expect({ exit: r.exitCode, status: r.operation.status, output: r.output }).toEqual({ exit: 127, status: "Failure", output: "record" });
    expect(lxd.logs.get("c1")?.size).toBe(0);
  });

  it("a file that cannot be read is an ExecRecordError with the exit code, never an empty string", async () => {
    const { client, lxd } = v.start();
    v.server.use(
      http.get(`${lxd.baseUrl}/1.0/instances/c1/logs/:file`, ({ params }) =>
        String(params.file).endsWith(".stderr")
          ? HttpResponse.json({ type: "error", error: "disk on fire", error_code: 500, metadata: null }, { status: 500 })
          : undefined,
      ),
    );
    const err = await client.run("v", "c1", SCRIPT).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ExecRecordError);
    expect(err).toMatchObject({ name: "ExecRecordError", streams: ["stderr"], exitCode: 2 });
    expect((err as Error).message).toMatch(/recorded stderr could not be read \(.*disk on fire\)/);
    expect(lxd.logs.get("c1")?.size).toBe(0); // deleted all the same
  });

  /** A server answering exec with an operation that ends as `final` (its GET and its event). */
  function execEndingAs(lxd: VirtualLxd, final: Partial<Operation>) {
    v.server.use(
      http.post(`${lxd.baseUrl}/1.0/instances/c1/exec`, () => {
        const running = op({ status: "Running", status_code: 103 });
        const ended = { ...running, ...final };
        v.server.use(http.get(`${lxd.baseUrl}/1.0/operations/${running.id}`, () => sync(ended)));
        setTimeout(() => lxd.emit("operation", ended), 20);
        return asyncOp(running);
      }),
    );
  }

  it("an operation that names no output files is an ExecRecordError for both streams", async () => {
    const { client, lxd } = v.start();
    // A server that ignores record-output: the command ran, its final state names no file.
    execEndingAs(lxd, { status: "Success", status_code: 200, metadata: { return: 2 } });
    const err = await client.run("v", "c1", SCRIPT).catch((e: unknown) => e);
    expect(err).toMatchObject({ name: "ExecRecordError", streams: ["stdout", "stderr"], exitCode: 2 });
    expect((err as Error).message).toMatch(/names no file for fd 1/);
  });

  it("a command the server could not start (no exit code) is its OperationError; the files it made unnamed are deleted", async () => {
    const { client, lxd } = v.start();
    execEndingAs(lxd, { status: "Failure", status_code: 400, err: "fork/exec /bin/x: invalid argument", metadata: { return: -1 } });
    // The server created the two files before it failed, and named them nowhere.
    v.server.events.on("response:mocked", ({ request, response }) => {
      if (request.method !== "POST" || !request.url.endsWith("/exec")) return;
      void response
        .clone()
        .json()
        .then((b: { metadata: { id: string } }) => {
          const id = b.metadata.id;
          lxd.logs.set("c1", new Map(["stdout", "stderr"].map((x) => [`exec_${id}.${x}`, new Uint8Array([1])])));
        });
    });
    const err = await client.run("v", "c1", ["x"]).catch((e: unknown) => e);
    v.server.events.removeAllListeners();
    expect(err).toBeInstanceOf(OperationError);
    expect(err).toMatchObject({ status: "Failure", err: "fork/exec /bin/x: invalid argument" });
    expect(lxd.logs.get("c1")?.size).toBe(0);
  });

  it("a file already gone at delete time is no leftover; a delete that fails is named in leftover", async () => {
    const { client, lxd } = v.start();
    v.server.use(
      http.delete(`${lxd.baseUrl}/1.0/instances/c1/logs/:file`, ({ params }) =>
        String(params.file).endsWith(".stdout")
          ? HttpResponse.json({ type: "error", error: "Not Found", error_code: 404, metadata: null }, { status: 404 })
          : HttpResponse.json({ type: "error", error: "busy", error_code: 500, metadata: null }, { status: 500 }),
      ),
    );
    const r = await client.run("v", "c1", SCRIPT);
    expect(r.text("stderr")).toBe("err-1\nend-1\n");
    expect(r.leftover).toEqual([`/1.0/instances/c1/logs/exec_${r.operation.id}.stderr`]);
  });

  it('"auto" streams when there is input, a signal or a terminal; "record" refuses input and interactive', async () => {
    const { client } = v.start();
    expect((await client.run("v", "c1", ["cat"], { input: "x" })).output).toBe("stream");
    expect((await client.run("v", "c1", ["true"], { signal: new AbortController().signal })).output).toBe("stream");
    expect((await client.run("v", "c1", ["true"], { output: "record", signal: new AbortController().signal })).output).toBe("record");
    expect((await client.run("v", "c1", ["true"], { output: "stream" })).output).toBe("stream");
    await expect(client.run("v", "c1", ["cat"], { output: "record", input: "x" })).rejects.toBeInstanceOf(InvalidArgumentError);
    await expect(client.run("v", "c1", ["sh"], { output: "record", interactive: true })).rejects.toBeInstanceOf(InvalidArgumentError);
    await expect(client.run("v", "c1", ["true"], { output: "file" as never })).rejects.toThrow(
      /output must be "auto", "record" or "stream"/,
    );
  });
});

describe("the servers' output race (stderr's tail dropped, normal end-of-stream): which path loses output", () => {
  const v = useVirtualLxd();

  it("streamed: stderr comes back short with no error and the right exit code, the loss the servers cause", async () => {
    const { client } = v.start({ traps: { loseStderrTail: true } });
    const r = await client.run("v", "c1", SCRIPT, { output: "stream" });
    expect({ exit: r.exitCode, out: r.text(), err: r.text("stderr") }).toEqual({ exit: 2, out: "out-1\n", err: "err-1\n" });
  });

  it("recorded: the same command, the same server, every byte", async () => {
    const { client } = v.start({ traps: { loseStderrTail: true } });
    const r = await client.run("v", "c1", SCRIPT);
    expect({ output: r.output, exit: r.exitCode, out: r.text(), err: r.text("stderr") }).toEqual({
      output: "record",
      exit: 2,
      out: "out-1\n",
      err: "err-1\nend-1\n",
    });
  });
});
