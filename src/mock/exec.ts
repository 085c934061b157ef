// The virtual LXD's exec: the operation's websockets and a programmable command behind them,
// as LXD 5.0.2 behaves on the wire (binary frames, an empty text frame as EOF, then a drop
// without a close frame), with the wire traps of VirtualLxdOptions.
import type { WebSocketHandler } from "msw";
import { concatBytes } from "../utils/bytes.js";
import { defer } from "../utils/defer.js";
import { CommandNotFound } from "./commands.js";
import type { Client, ExecBody, MockOp, VirtualState } from "./state.js";
import type { MockProcess } from "./types.js";
import { wsLink } from "./ws-link.js";

const enc = new TextEncoder();
const bytes = (d: string | Uint8Array) => (typeof d === "string" ? enc.encode(d) : d);

/** The MSW handler of the operations' websockets: exec's fds, or handed to the operation's own `attach` (a console). */
export function execSockets(s: VirtualState): WebSocketHandler {
  return wsLink(`${s.wsBase}/1.0/operations/*/websocket`).addEventListener("connection", ({ client }) => {
    s.logged("WS", client.url);
    const parts = client.url.pathname.split("/");
    const m = s.ops.get(decodeURIComponent(parts[3] ?? ""));
    const secret = client.url.searchParams.get("secret");
    const fd = m && Object.keys(m.fds).find((k) => m.fds[k] === secret);
    if (m?.attach && fd && m.op.status_code < 200) return m.attach(fd, client as unknown as Client);
    // LXD refuses the upgrade (HTTP 500); a mocked socket can only close before anything else.
    if (!m?.exec || !fd || m.op.status_code >= 200 || m.exec.sockets.has(fd))
      return client.close(1011, "Only running operations can be connected");
    const x = m.exec;
    const closed = defer();
    const entry = Object.assign(client as unknown as Client, { closed: closed.promise, isClosed: false });
    x.sockets.set(fd, entry);
    client.addEventListener("close", () => {
      entry.isClosed = true;
      closed.resolve();
      if (fd === "control" && m.op.status_code < 200) x.signal?.(9); // closing control SIGKILLs
      if (fd === "0") {
        x.stdinEof = true;
        x.stdinWake?.();
      }
    });
    client.addEventListener("message", (e) => {
      const data = e.data as unknown;
      if (fd === "control") {
        const msg = JSON.parse(String(data)) as { command: string; signal?: number; args?: { width: string; height: string } };
        if (msg.command === "signal" && msg.signal) x.signal?.(msg.signal);
        if (msg.command === "window-resize" && msg.args && typeof msg.args.width === "string") {
          x.size.width = Number(msg.args.width);
          x.size.height = Number(msg.args.height);
        }
        return;
      }
      if (fd !== "0") return;
      if (typeof data === "string") {
        x.stdinEof = true; // any text frame is a barrier: EOF
      } else if (x.body.interactive && new Uint8Array(data as ArrayBuffer).includes(4)) {
        x.stdinEof = true; // a PTY in canonical mode reads ^D as end-of-file
      } else {
        x.stdinChunks.push(
          data instanceof ArrayBuffer
            ? new Uint8Array(data)
            : new Uint8Array((data as Uint8Array).buffer, (data as Uint8Array).byteOffset, (data as Uint8Array).byteLength).slice(),
        );
      }
      x.stdinWake?.();
    });
    const needed = x.body.interactive ? ["0"] : ["0", "1", "2"];
    if (!x.started && needed.every((n) => x.sockets.has(n))) startExec(s, m);
  });
}

function toFrame(frames: VirtualState["traps"]["frames"], b: Uint8Array): unknown {
  const copy = b.slice();
  if (frames === "uint8array") return copy;
  if (frames === "blob") return new Blob([copy]);
  if (frames === "buffer") return (globalThis as { Buffer?: { from(b: Uint8Array): Uint8Array } }).Buffer?.from(copy) ?? copy;
  return copy.buffer;
}

function startExec(s: VirtualState, m: MockOp) {
  const { traps, commands, finish } = s;
  const frame = (b: Uint8Array) => toFrame(traps.frames, b);
  const x = m.exec!;
  x.started = true;
  const out = x.sockets.get(x.body.interactive ? "0" : "1")!;
  const err = x.body.interactive ? out : x.sockets.get("2")!;
  const signalled = defer<number>();
  x.signal = (n) => signalled.resolve(n);
  let stderrHeld: unknown;
  const proc: MockProcess = {
    argv: x.body.command,
    environment: x.body.environment ?? {},
    cwd: x.body.cwd ?? "/root",
    user: x.body.user ?? 0,
    group: x.body.group ?? 0,
    interactive: x.body.interactive ?? false,
    size: x.size,
    async *stdin() {
      for (;;) {
        if (x.stdinChunks.length > 0) yield x.stdinChunks.shift()!;
        else if (x.stdinEof) return;
        else await new Promise<void>((r) => (x.stdinWake = r));
      }
    },
    stdout: (d) => send(out, frame(bytes(d))),
    // loseStderrTail: each write goes out when the next one comes, so the last never does.
    stderr: (d) => {
      if (!traps.loseStderrTail || x.body.interactive) return send(err, frame(bytes(d)));
      if (stderrHeld !== undefined) send(err, stderrHeld);
      stderrHeld = frame(bytes(d));
    },
    signalled: signalled.promise,
  };
  // With finalEventBeforeOutput, output is held back until the operation has finished.
  const held: [Client, unknown][] = [];
  const send = (c: Client, data: unknown) => (traps.finalEventBeforeOutput ? held.push([c, data]) : c.send(data));
  const handler = commands[x.body.command[0]!];
  if (traps.failBeforeStart) {
    finish(m, "Failure", `fork/exec /usr/bin/${x.body.command[0]}: invalid argument`, { return: -1 });
    setTimeout(() => {
      for (const socket of x.sockets.values()) socket.close(1006);
    }, 20);
    return;
  }
  void (async () => {
    let code: number;
    let failure = "";
    try {
      if (!handler) throw new CommandNotFound();
      code = await Promise.race([Promise.resolve(handler(proc)), signalled.promise.then((n) => 128 + n)]);
    } catch (e) {
      code = e instanceof CommandNotFound ? 127 : 1;
      failure = e instanceof CommandNotFound ? "Command not found" : String(e);
    }
    const status = code === 126 || code === 127 ? "Failure" : "Success";
    const done = () => finish(m, status, failure, { return: code });
    if (traps.finalEventBeforeOutput) {
      done();
      await new Promise((r) => setTimeout(r, 20));
      for (const [c, data] of held) c.send(data);
    }
    const drop = () => {
      for (const [fd, socket] of x.sockets) if (fd !== "0" || !x.body.interactive) socket.close(1006);
    };
    if (traps.dieMidExec) {
      await new Promise((r) => setTimeout(r, 20)); // the output is out; then the daemon dies
      s.dead = true;
      drop();
      s.events.dropAll();
      return;
    }
    if (traps.silentAfterFinish) return done();
    if (traps.dropAfterFinish) {
      done();
      await new Promise((r) => setTimeout(r, 5));
      return drop();
    }
    // EOF is an empty text frame, then the connection drops without a close frame.
    for (const fd of x.body.interactive ? ["0"] : ["1", "2"]) x.sockets.get(fd)!.send("");
    if (x.body.interactive) {
      // LXD finishes an interactive exec only once the client closed fd 0 after the EOF.
      await new Promise<void>((r) => (x.sockets.get("0") as Client & { closed?: Promise<void> }).closed!.then(r));
    }
    await new Promise((r) => setTimeout(r, 1));
    drop();
    if (!traps.finalEventBeforeOutput) done();
  })();
}

/**
 * An exec without websockets (`wait-for-websocket: false`): the command runs at once with an empty
 * stdin. With `record-output` its output goes to exec_<op>.stdout|stderr in the instance's logs,
 * which the final operation names in `metadata.output`, as LXD 5.0 does; else it is dropped.
 */
export function runDetached(s: VirtualState, m: MockOp, instance: string, body: ExecBody): void {
  const out: Uint8Array[] = [];
  const err: Uint8Array[] = [];
  const proc: MockProcess = {
    argv: body.command,
    environment: body.environment ?? {},
    cwd: body.cwd ?? "/root",
    user: body.user ?? 0,
    group: body.group ?? 0,
    interactive: false,
    size: { width: 80, height: 25 },
    async *stdin() {},
    stdout: (d) => void out.push(bytes(d).slice()),
    stderr: (d) => void err.push(bytes(d).slice()),
    signalled: new Promise<number>(() => undefined), // no control socket: nothing can signal it
  };
  const handler = s.commands[body.command[0]!];
  void (async () => {
    let code: number;
    let failure = "";
    try {
      if (!handler) throw new CommandNotFound();
      code = await handler(proc);
    } catch (e) {
      code = e instanceof CommandNotFound ? 127 : 1;
      failure = e instanceof CommandNotFound ? "Command not found" : String(e);
    }
    const metadata: Record<string, unknown> = { return: code };
    if (body["record-output"]) {
      const files = s.logs.get(instance) ?? new Map<string, Uint8Array>();
      s.logs.set(instance, files);
      const name = (stream: string) => `exec_${m.op.id}.${stream}`;
      files.set(name("stdout"), concatBytes(out));
      files.set(name("stderr"), concatBytes(err));
      metadata.output = {
        "1": `/1.0/instances/${instance}/logs/${name("stdout")}`,
        "2": `/1.0/instances/${instance}/logs/${name("stderr")}`,
      };
    }
    s.finish(m, code === 126 || code === 127 ? "Failure" : "Success", failure, metadata);
  })();
}
