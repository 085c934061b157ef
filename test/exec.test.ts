// Exec against the virtual LXD: each protocol trap of docs/protocol.md, over MSW's WebSockets.
import { describe, expect, it } from "vitest";
import {
  AbortError,
  ConnectionError,
  ExecInputError,
  ExecOutputError,
  InvalidArgumentError,
  LxdError,
  OperationError,
} from "../src/index.js";
import { readAll, text, until, useVirtualLxd } from "./support/virtual.js";

const v = useVirtualLxd();

describe("exec", () => {
  it("separates stdout and stderr, and gives the exit code", async () => {
    const { client } = v.start();
    const r = await client.run("v", "c1", ["sh", "-c", "echo out; echo err >&2; exit 3"]);
    expect(r.exitCode).toBe(3);
    expect(r.text()).toBe("out\n");
    expect(r.text("stderr")).toBe("err\n");
    expect(r.operation.status_code).toBe(200);
  });

  it("stdin round-trips bytes, and closing it sends EOF", async () => {
    const { client } = v.start();
    const input = Uint8Array.from({ length: 70_000 }, (_, i) => (i * 7) % 256);
    const r = await client.run("v", "c1", ["cat"], { input });
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toEqual(input);
  });

  it("a string stdin chunk is sent as binary (a text frame would be EOF)", async () => {
    const { client } = v.start();
    const proc = await client.exec("v", "c1", ["cat"]);
    const w = proc.stdin.getWriter();
    await w.write("hello " as unknown as Uint8Array);
    await w.write(new TextEncoder().encode("world"));
    await w.close();
    expect(text(await readAll(proc.stdout))).toBe("hello world");
    expect((await proc.exited).exitCode).toBe(0);
  });

  it.each(["arraybuffer", "uint8array", "blob", "buffer"] as const)("accepts %s frames, in order", async (frames) => {
    const { client } = v.start({ traps: { frames } });
    const r = await client.run("v", "c1", ["sh", "-c", "echo 1; echo 2; echo 3; echo 4; exit 0"], { output: "stream" });
    expect(r.text()).toBe("1\n2\n3\n4\n");
  });

  it("exited waits for the output when the operation finishes before any output frame", async () => {
    const { client } = v.start({ traps: { finalEventBeforeOutput: true } });
    const proc = await client.exec("v", "c1", ["sh", "-c", "echo a; echo b; echo c >&2; exit 5"]);
    await proc.stdin.close();
    const stateWhenFinal = await proc.operation.wait().catch((e: unknown) => e);
    expect(stateWhenFinal).toMatchObject({ status_code: 200 }); // final, no output seen yet
    // Read nothing until exited: it must not resolve (and close the sockets) before the EOFs,
    // or the frames that come after the final event would be lost.
    await expect(proc.exited).resolves.toMatchObject({ exitCode: 5 });
    expect(text(await readAll(proc.stdout))).toBe("a\nb\n");
    expect(text(await readAll(proc.stderr))).toBe("c\n");
  });

  it("the drop without a close frame after EOF is a normal end", async () => {
    const { client } = v.start();
    const proc = await client.exec("v", "c1", ["echo", "x"]);
    await proc.stdin.close();
    await expect(readAll(proc.stdout)).resolves.toEqual(new TextEncoder().encode("x\n"));
    await expect(proc.exited).resolves.toMatchObject({ exitCode: 0 });
  });

  it("an output socket closed without end-of-stream (LXD 5.0.2 under load) is reported, with the exit code", async () => {
    const { client } = v.start({ traps: { dropAfterFinish: true } });
    const proc = await client.exec("v", "c1", ["sh", "-c", "echo out; echo err >&2; exit 2"]);
    await proc.stdin.close();
    const [out, err, exit] = await Promise.allSettled([readAll(proc.stdout), readAll(proc.stderr), proc.exited]);
    expect(exit).toMatchObject({ status: "rejected", reason: { name: "ExecOutputError", exitCode: 2, streams: ["stdout", "stderr"] } });
    expect(out).toMatchObject({ status: "rejected", reason: { name: "ConnectionError" } });
    expect(err).toMatchObject({ status: "rejected", reason: { name: "ConnectionError" } });
    await expect(client.run("v", "c1", ["true"], { output: "stream" })).rejects.toBeInstanceOf(ExecOutputError);
  });

  it("a command LXD cannot start (fork/exec fails) settles run(), exited and both streams with typed errors", async () => {
    const { client } = v.start({ traps: { failBeforeStart: true } });
    const err = await client.run("v", "c1", ["echo", "x"], { output: "stream" }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OperationError);
    expect(err).toMatchObject({ status: "Failure", err: expect.stringMatching(/invalid argument/) });
    const proc = await client.exec("v", "c1", ["echo", "x"]);
    const [out, errs, exit] = await Promise.allSettled([readAll(proc.stdout), readAll(proc.stderr), proc.exited]);
    expect(exit).toMatchObject({ status: "rejected", reason: { name: "OperationError" } });
    expect(out).toMatchObject({ status: "rejected", reason: { name: "ConnectionError" } });
    expect(errs).toMatchObject({ status: "rejected", reason: { name: "ConnectionError" } });
  });

  it("output sockets that neither end nor close after the operation finished are dropped after a grace, never waited on forever", async () => {
    const { client } = v.start({ traps: { silentAfterFinish: true } });
    const started = Date.now();
    const err = await client.run("v", "c1", ["sh", "-c", "echo out; exit 4"], { output: "stream" }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ExecOutputError);
    expect(err).toMatchObject({ exitCode: 4, streams: ["stdout", "stderr"] });
    expect(Date.now() - started).toBeLessThan(10_000);
    const proc = await client.exec("v", "c1", ["true"]);
    const out = await readAll(proc.stdout).catch((e: unknown) => e);
    expect(out).toBeInstanceOf(ConnectionError);
    expect((out as Error).message).toMatch(/stdout did not end within \d+ ms after the command finished/);
  });

  it("a final operation event that never arrives does not hang exited: the state is asked for once both outputs ended", async () => {
    const { client, lxd } = v.start({ traps: { loseFinalEvent: true } });
    const result = await client.run("v", "c1", ["sh", "-c", "echo out; exit 3"], { output: "stream" });
    expect(result).toMatchObject({ exitCode: 3 });
    expect(result.text()).toBe("out\n");
    expect(lxd.requests.filter((r) => r.startsWith(`GET /1.0/operations/${result.operation.id}`)).length).toBeGreaterThan(0);
  });

  it("run() with an input stream that fails midway kills the command and rejects with ExecInputError carrying the cause", async () => {
    const { client } = v.start();
    const cause = new Error("disk read failed");
    let sent = 0;
    const input = new ReadableStream<Uint8Array>({
      pull(c) {
        if (sent++ < 2) c.enqueue(new TextEncoder().encode(`part ${sent}\n`));
        else c.error(cause);
      },
    });
    const err = await client.run("v", "c1", ["cat"], { input }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ExecInputError);
    expect(err).toMatchObject({ cause, exitCode: 128 + 9 });
    expect((err as Error).message).toMatch(/input stream failed/);
  });

  it("run() input: bytes, ArrayBuffers and strings all reach stdin as binary", async () => {
    const { client } = v.start();
    for (const input of ["text\n", new TextEncoder().encode("bytes\n"), new TextEncoder().encode("buffer\n").buffer as ArrayBuffer]) {
      const r = await client.run("v", "c1", ["cat"], { input });
      expect(r.text()).toBe(typeof input === "string" ? input : new TextDecoder().decode(input));
    }
  });

  it("output cut off by a dying daemon is an error on the streams and on exited, not a silent truncation", async () => {
    const { client } = v.start({ traps: { dieMidExec: true } });
    const proc = await client.exec("v", "c1", ["echo", "partial"]);
    await proc.stdin.close();
    const err = await readAll(proc.stdout).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConnectionError);
    expect(err).toMatchObject({ remote: "v", code: "1006" });
    expect((err as Error).message).toMatch(/stdout ended without end-of-stream/);
    expect((err as Error).message).toMatch(/websocket\?secret=\[redacted\]/);
    await expect(proc.exited).rejects.toBeInstanceOf(ConnectionError);
  });

  it("connects control, 0, 1, 2 one after another, each once the previous one is open", async () => {
    const { lxd } = v.start();
    const log: string[] = [];
    const Real = globalThis.WebSocket;
    let previous: WebSocket | undefined;
    const Recording = class extends Real {
      constructor(url: string | URL) {
        super(url);
        const u = String(url);
        if (!u.includes("/websocket")) return;
        const op = [...lxd.operations.values()].find((m) => u.includes(m.op.id))!;
        const fd = Object.keys(op.fds).find((k) => u.endsWith(op.fds[k]!))!;
        log.push(previous ? `${fd} after an ${previous.readyState === 1 ? "open" : "unopened"} socket` : `${fd} first`);
        previous = this;
      }
    };
    const { createLxd } = await import("../src/index.js");
    const c = createLxd({ remotes: { v: { url: lxd.baseUrl } }, defaultRemote: "v", WebSocket: Recording });
    const r = await c.run("v", "c1", ["true"], { output: "stream" });
    expect(r.exitCode).toBe(0);
    expect(log).toEqual(["control first", "0 after an open socket", "1 after an open socket", "2 after an open socket"]);
    await c.close();
  });

  it("the virtual LXD refuses a control socket that comes after the command ended (the trap control-first avoids)", async () => {
    const { client, lxd } = v.start();
    const { data } = await client.api().POST("/1.0/instances/{name}/exec", {
      params: { path: { name: "c1" } },
      body: { command: ["true"], "wait-for-websocket": true, interactive: false },
    });
    const op = data!.metadata;
    const fds = op.metadata?.fds;
    if (!fds || typeof fds !== "object") throw new Error("the exec operation has no fds");
    const url = (fd: string) =>
      `${lxd.baseUrl.replace("https", "wss")}/1.0/operations/${op.id}/websocket?secret=${String(fds[fd as keyof typeof fds])}`;
    const opened = (fd: string) =>
      new Promise<CloseEvent | "open">((res) => {
        const ws = new WebSocket(url(fd));
        ws.onopen = () => res("open");
        ws.onclose = (e) => res(e);
      });
    await Promise.all(["0", "1", "2"].map(opened));
    while (lxd.operations.get(op.id)!.op.status_code < 200) await new Promise((r) => setTimeout(r, 5));
    const late = await new Promise<CloseEvent>((res) => {
      const ws = new WebSocket(url("control"));
      ws.onclose = res;
    });
    expect(late.code).toBe(1011);
    expect(late.reason).toBe("Only running operations can be connected");
  });

  it("an exec whose exited is never awaited leaves no unhandled rejection when aborted", async () => {
    const { client } = v.start();
    const ac = new AbortController();
    const proc = await client.exec("v", "c1", ["sleep", "1000"], { signal: ac.signal });
    const reading = readAll(proc.stdout).catch((e: unknown) => e);
    ac.abort();
    expect(await reading).toBeInstanceOf(AbortError);
    await new Promise((r) => setTimeout(r, 50)); // vitest fails the run on an unhandled rejection
  });

  it("a command that is not found exits 127 (LXD marks the operation Failure)", async () => {
    const { client } = v.start();
    const r = await client.run("v", "c1", ["no-such-command"]);
    expect(r.exitCode).toBe(127);
    expect(r.operation).toMatchObject({ status_code: 400, err: "Command not found" });
  });

  it("exec in a stopped instance is a typed LxdError", async () => {
    const { client, lxd } = v.start();
    lxd.instances.get("c1")!.status_code = 102;
    const err = await client.exec("v", "c1", ["true"]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(LxdError);
    expect(err).toMatchObject({ status: 400, lxdMessage: "Instance is not running" });
  });

  it("kill() sends a signal over control; exit status is 128 + signal", async () => {
    const { client } = v.start();
    const proc = await client.exec("v", "c1", ["sleep", "1000"]);
    await proc.kill(15);
    await expect(proc.exited).resolves.toMatchObject({ exitCode: 143 });
  });

  it("abort: SIGTERM then control closed; exited rejects with AbortError, no socket left", async () => {
    const { client, lxd } = v.start();
    const ac = new AbortController();
    const proc = await client.exec("v", "c1", ["sleep", "1000"], { signal: ac.signal });
    ac.abort(new Error("stop"));
    const err = await proc.exited.catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AbortError);
    await expect(readAll(proc.stdout)).rejects.toBeInstanceOf(AbortError);
    const op = [...lxd.operations.values()].find((m) => m.op.id === proc.operation.id)!;
    const isClosed = (s: unknown) => (s as { isClosed: boolean }).isClosed;
    await until(() => op.op.status_code >= 200 && [...op.exec!.sockets.values()].every(isClosed), 1000);
    const sockets = [...op.exec!.sockets.entries()].map(([fd, s]) => [fd, isClosed(s)]);
    expect(sockets.sort()).toEqual([
      ["0", true],
      ["1", true],
      ["2", true],
      ["control", true],
    ]);
    expect(op.op.metadata).toMatchObject({ return: 143 }); // SIGTERM arrived first
  });

  it("an exec secret in a runtime's error message never reaches our error or its cause", async () => {
    const { lxd } = v.start();
    const Real = globalThis.WebSocket;
    let secret = "";
    const Leaky = class extends Real {
      constructor(url: string | URL) {
        if (String(url).includes("/websocket")) {
          secret = new URL(String(url)).searchParams.get("secret") ?? "";
          throw Object.assign(new Error(`connect to ${String(url)} failed`), { code: "ECONNRESET" });
        }
        super(url);
      }
    };
    const { createLxd } = await import("../src/index.js");
    const c = createLxd({ remotes: { v: { url: lxd.baseUrl } }, defaultRemote: "v", WebSocket: Leaky });
    const err = (await c.exec("v", "c1", ["true"]).catch((e: unknown) => e)) as Error & { cause: Error & { code?: string } };
    expect(secret).toMatch(/^[0-9a-f]{64}$/);
    expect(err).toBeInstanceOf(ConnectionError);
    const everything = `${err.message} ${err.stack} ${err.cause.message} ${err.cause.stack} ${JSON.stringify(err)}`;
    expect(everything).not.toContain(secret);
    expect(err.message).toContain("secret=[redacted]");
    expect(err.cause.code).toBe("ECONNRESET");
    await c.close();
  });

  it("abort while the sockets connect rejects with AbortError", async () => {
    const { lxd } = v.start();
    const ac = new AbortController();
    const Real = globalThis.WebSocket;
    const AbortOnFirst = class extends Real {
      constructor(url: string | URL) {
        super(url);
        if (String(url).includes("/websocket")) queueMicrotask(() => ac.abort(new Error("user")));
      }
    };
    const { createLxd } = await import("../src/index.js");
    const c = createLxd({ remotes: { v: { url: lxd.baseUrl } }, defaultRemote: "v", WebSocket: AbortOnFirst });
    const err = await c.exec("v", "c1", ["sleep", "1000"], { signal: ac.signal }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AbortError);
    expect((err as AbortError).cause).toEqual(new Error("user"));
    await c.close();
  });

  it("interactive: one PTY stream, stty size sees the initial size and a resize, ^D ends stdin", async () => {
    const { client } = v.start();
    const first = await client.run("v", "c1", ["stty", "size"], { interactive: true, width: 80, height: 24 });
    expect(first.text()).toBe("24 80\r\n");
    expect(first.stderr).toHaveLength(0);

    const proc = await client.exec("v", "c1", ["sh", "-c", "cat; stty size"], { interactive: true, width: 80, height: 24 });
    await proc.resize(132, 43);
    await proc.stdin.close(); // sends ^D
    expect(text(await readAll(proc.stdout))).toBe("43 132\r\n");
    await expect(proc.exited).resolves.toMatchObject({ exitCode: 0 });
  });

  it("resize on a non-interactive exec is refused; bad arguments are refused unsent", async () => {
    const { client } = v.start();
    const proc = await client.exec("v", "c1", ["cat"]);
    await expect(proc.resize(80, 24)).rejects.toBeInstanceOf(InvalidArgumentError);
    await expect(proc.kill(0)).rejects.toBeInstanceOf(InvalidArgumentError);
    await proc.stdin.close();
    await proc.exited;
    await expect(client.exec("v", "c1", [])).rejects.toBeInstanceOf(InvalidArgumentError);
    await expect(client.exec("v", "", ["true"])).rejects.toBeInstanceOf(InvalidArgumentError);
    await expect(client.exec("v", "c1", ["true"], { user: -1 })).rejects.toBeInstanceOf(InvalidArgumentError);
    await expect(client.exec("v", "c1", ["sh", 3 as unknown as string])).rejects.toBeInstanceOf(InvalidArgumentError);
  });

  it("a data socket that fails to open closes the others and rejects clearly", async () => {
    const { lxd } = v.start();
    const Real = globalThis.WebSocket;
    let n = 0;
    const created: WebSocket[] = [];
    const FailSecond = class extends Real {
      constructor(url: string | URL) {
        // The second websocket of the exec (the first data fd) gets a wrong secret: refused.
        super(String(url).includes("/websocket") && ++n === 2 ? String(url).replace(/secret=[0-9a-f]+/, "secret=bad") : url);
        created.push(this);
      }
    };
    const { createLxd } = await import("../src/index.js");
    const c = createLxd({ remotes: { v: { url: lxd.baseUrl } }, defaultRemote: "v", WebSocket: FailSecond });
    const err = await c.exec("v", "c1", ["sleep", "1000"]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConnectionError);
    expect((err as Error).message).toMatch(/websocket/);
    expect((err as Error).message).not.toMatch(/secret=[0-9a-f]{64}/);
    // Control had opened; it is closed (which makes LXD kill the command), and nothing else opened.
    const execSockets = created.filter((ws) => ws.url.includes("/websocket"));
    expect(execSockets).toHaveLength(2);
    expect(execSockets.map((ws) => ws.readyState >= WebSocket.CLOSING)).toEqual([true, true]);
    const [m] = lxd.operations.values();
    await until(() => [...m!.exec!.sockets.values()].every((s) => (s as unknown as { isClosed: boolean }).isClosed));
    expect([...m!.exec!.sockets.keys()]).toEqual(["control"]);
    await c.close();
  });
});
