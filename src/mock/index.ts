// A virtual LXD for tests and demos, as MSW handlers: operations with their lifecycle and
// LXD's ~5 s retention, /wait in the 5.0.x form (or the ≥ 5.0.3 one), the events socket, and
// exec over websockets with programmable commands — behaving as LXD 5.0.2 does on the wire
// (binary frames, an empty text frame as EOF, then a drop without a close frame).
import { http, HttpResponse, ws } from "msw";
import type { InstanceExecPost, Operation } from "../types.js";
import { builtinCommands, CommandNotFound } from "./commands.js";
import { newInstance, type MockContext } from "./context.js";
import { imageStore } from "./images.js";
import { instanceHandlers } from "./instances.js";
import { trustHandlers } from "./trust.js";

export { builtinCommands, CommandNotFound } from "./commands.js";
export type { MockInstance } from "./context.js";
export type { MockImage } from "./images.js";
export { VIRTUAL_SERVER_FINGERPRINT } from "./trust.js";

export interface MockProcess {
  readonly argv: string[];
  readonly environment: Record<string, string>;
  readonly cwd: string;
  readonly user: number;
  readonly group: number;
  readonly interactive: boolean;
  /** Terminal size (interactive), updated by window-resize. */
  readonly size: { width: number; height: number };
  /** Reads stdin until EOF. */
  stdin(): AsyncIterable<Uint8Array>;
  stdout(data: string | Uint8Array): void;
  stderr(data: string | Uint8Array): void;
  /** Resolves with the first signal received (from control, or 9 when control closes). */
  readonly signalled: Promise<number>;
}

/** A command: returns its exit status. Throwing `notFound()` makes it exit 127 like LXD. */
export type CommandHandler = (proc: MockProcess) => number | Promise<number>;

export interface VirtualLxdOptions {
  /** Default `https://lxd.test:8443`. */
  baseUrl?: string;
  /** `"5.0.2"` (default): /wait returns the Operation; `"5.0.3"`: timeouts and failures come as an error envelope in HTTP 200. */
  waitForm?: "5.0.2" | "5.0.3";
  /** How long a finished operation is kept; LXD keeps it about 5 s. */
  retentionMs?: number;
  /** Running instances. Default `["c1"]`. */
  instances?: string[];
  /** Image aliases instances can be created from without an upload. Default `["busybox"]`. */
  imageAliases?: string[];
  /** Extra commands by argv[0], over the built-ins (echo, cat, sh -c, sleep, true, false, ...). */
  commands?: Record<string, CommandHandler>;
  /** Wire traps, to prove a client copes. */
  traps?: {
    /** Finish the operation (event and /wait) before any output frame is sent. */
    finalEventBeforeOutput?: boolean;
    /** How binary frames are handed to the client (runtimes differ). */
    frames?: "arraybuffer" | "uint8array" | "blob" | "buffer";
    /** Refuse events sockets, as a server or proxy without websocket support would. */
    refuseEvents?: boolean;
    /** Drop the output sockets without their end-of-stream frame after the operation finished (a race LXD 5.0.2 has). */
    dropAfterFinish?: boolean;
    /** The daemon dies mid-exec: output sockets drop without end-of-stream, the operation never ends, nothing answers. */
    dieMidExec?: boolean;
    /** The command cannot start (LXD: "fork/exec …: invalid argument"): the operation fails with return -1, then the sockets drop. */
    failBeforeStart?: boolean;
    /** After the operation finished, the output sockets neither end nor close (a stuck proxy or peer). */
    silentAfterFinish?: boolean;
  };
}

interface MockOp {
  op: Operation;
  fds: Record<string, string>;
  exec?: ExecState;
}

interface ExecState {
  body: ExecBody;
  sockets: Map<string, Client>;
  started: boolean;
  stdinChunks: Uint8Array[];
  stdinEof: boolean;
  stdinWake?: () => void;
  signal?: (n: number) => void;
  size: { width: number; height: number };
}

/** The exec request as LXD's API describes it. */
type ExecBody = InstanceExecPost & { command: string[] };

type Client = {
  send(data: unknown): void;
  close(code?: number, reason?: string): void;
  addEventListener(t: string, f: (e: MessageEvent) => void): void;
  url: URL;
};

const enc = new TextEncoder();
const bytes = (d: string | Uint8Array) => (typeof d === "string" ? enc.encode(d) : d);
const hex = () => Array.from(crypto.getRandomValues(new Uint8Array(32)), (b) => b.toString(16).padStart(2, "0")).join("");

export function createVirtualLxd(options: VirtualLxdOptions = {}) {
  const base = options.baseUrl ?? "https://lxd.test:8443";
  const wsBase = base.replace(/^http/, "ws");
  const retention = options.retentionMs ?? 5000;
  const traps: NonNullable<VirtualLxdOptions["traps"]> = { ...options.traps };
  const commands: Record<string, CommandHandler> = { ...builtinCommands, ...options.commands };
  const instances = new Map((options.instances ?? ["c1"]).map((n) => [n, newInstance(n)]));
  const ops = new Map<string, MockOp>();
  const eventClients = new Set<{ client: Client; types: string[] }>();
  let eventConnections = 0;
  /** After dieMidExec: every request fails and no socket is accepted, as with a dead daemon. */
  let dead = false;

  const envelope = (metadata: unknown) => ({
    type: "sync",
    status: "Success",
    status_code: 200,
    operation: "",
    error_code: 0,
    error: "",
    metadata,
  });
  const error = (code: number, message: string, status = code) =>
    HttpResponse.json(
      { type: "error", status: "", status_code: 0, operation: "", error_code: code, error: message, metadata: null },
      { status },
    );

  function emit(type: string, metadata: unknown) {
    const event = JSON.stringify({ type, timestamp: new Date().toISOString(), metadata, location: "none", project: "default" });
    for (const c of eventClients) if (c.types.includes(type)) c.client.send(event);
  }

  function newOp(
    cls: Operation["class"],
    description: string,
    resources: Record<string, string[]>,
    metadata: Record<string, unknown>,
  ): MockOp {
    const now = new Date().toISOString();
    const op: Operation = {
      id: crypto.randomUUID(),
      class: cls,
      description,
      created_at: now,
      updated_at: now,
      status: "Running",
      status_code: 103,
      resources,
      metadata,
      may_cancel: cls === "token",
      err: "",
      location: "none",
    };
    const m: MockOp = { op, fds: {} };
    ops.set(op.id, m);
    emit("operation", op);
    return m;
  }

  function finish(m: MockOp, status: "Success" | "Failure" | "Cancelled", err = "", metadata?: Record<string, unknown>) {
    if (m.op.status_code >= 200) return;
    m.op = {
      ...m.op,
      status,
      status_code: status === "Success" ? 200 : status === "Failure" ? 400 : 401,
      err,
      updated_at: new Date().toISOString(),
      ...(metadata && { metadata: { ...m.op.metadata, ...metadata } }),
    };
    emit("operation", m.op);
    const t = setTimeout(() => ops.delete(m.op.id), retention);
    (t as { unref?: () => void }).unref?.(); // retention must not keep a process alive
  }

  const frame = (b: Uint8Array): unknown => {
    const copy = b.slice();
    if (traps.frames === "uint8array") return copy;
    if (traps.frames === "blob") return new Blob([copy]);
    if (traps.frames === "buffer") return (globalThis as { Buffer?: { from(b: Uint8Array): Uint8Array } }).Buffer?.from(copy) ?? copy;
    return copy.buffer;
  };

  function startExec(m: MockOp) {
    const x = m.exec!;
    x.started = true;
    const out = x.sockets.get(x.body.interactive ? "0" : "1")!;
    const err = x.body.interactive ? out : x.sockets.get("2")!;
    let signalled!: (n: number) => void;
    const signalledP = new Promise<number>((r) => (signalled = r));
    x.signal = (n) => signalled(n);
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
      stderr: (d) => send(err, frame(bytes(d))),
      signalled: signalledP,
    };
    // With finalEventBeforeOutput, output is held back until the operation has finished.
    const held: [Client, unknown][] = [];
    const send = (c: Client, data: unknown) => (traps.finalEventBeforeOutput ? held.push([c, data]) : c.send(data));
    const handler = commands[x.body.command[0]!];
    if (traps.failBeforeStart) {
      finish(m, "Failure", `fork/exec /usr/bin/${x.body.command[0]}: invalid argument`, { return: -1 });
      setTimeout(() => {
        for (const s of x.sockets.values()) s.close(1006);
      }, 20);
      return;
    }
    void (async () => {
      let code: number;
      let failure = "";
      try {
        if (!handler) throw new CommandNotFound();
        code = await Promise.race([Promise.resolve(handler(proc)), signalledP.then((n) => 128 + n)]);
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
        for (const [fd, s] of x.sockets) if (fd !== "0" || !x.body.interactive) s.close(1006);
      };
      if (traps.dieMidExec) {
        await new Promise((r) => setTimeout(r, 20)); // the output is out; then the daemon dies
        dead = true;
        drop();
        for (const { client } of [...eventClients]) client.close(1006);
        eventClients.clear();
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

  const ctx: MockContext = {
    base,
    instances,
    ok: (metadata) => HttpResponse.json(envelope(metadata)),
    error: (code, message) => error(code, message),
    newOp,
    finish: (m, status, err, metadata) => finish(m as MockOp, status, err, metadata),
    accepted: (m) => accepted(m as MockOp),
    later(m, work) {
      setTimeout(() => {
        const outcome = work();
        if (typeof outcome === "string") finish(m as MockOp, "Failure", outcome);
        else finish(m as MockOp, "Success", "", outcome);
      }, 20);
    },
  };
  const images = imageStore(ctx, options.imageAliases ?? ["busybox"]);
  const trust = trustHandlers(ctx, ops);

  const opSocket = ws.link(`${wsBase}/1.0/operations/*/websocket`);
  const eventsSocket = ws.link(`${wsBase}/1.0/events`);

  const handlers = [
    ...instanceHandlers(ctx, images),
    ...images.handlers,
    ...trust.handlers,
    http.get(`${base}/1.0`, () =>
      HttpResponse.json(
        envelope({
          api_extensions: [],
          api_status: "stable",
          api_version: "1.0",
          auth: "trusted",
          environment: { server_version: "5.0.2", server_name: "virtual" },
        }),
      ),
    ),
    http.get(`${base}/1.0/operations`, ({ request }) => {
      const recursion = new URL(request.url).searchParams.get("recursion") === "1";
      const map: Record<string, unknown[]> = {};
      for (const { op } of ops.values()) (map[op.status.toLowerCase()] ??= []).push(recursion ? op : `/1.0/operations/${op.id}`);
      return HttpResponse.json(envelope(map));
    }),
    http.get(`${base}/1.0/operations/:id`, ({ params }) => {
      const m = ops.get(String(params.id));
      return m ? HttpResponse.json(envelope(m.op)) : error(404, "Operation not found");
    }),
    http.delete(`${base}/1.0/operations/:id`, ({ params }) => {
      const m = ops.get(String(params.id));
      if (!m) return error(404, "Operation not found");
      if (!m.op.may_cancel) return error(400, "This operation can't be cancelled");
      finish(m, "Cancelled");
      return HttpResponse.json(envelope({}));
    }),
    http.get(`${base}/1.0/operations/:id/wait`, async ({ params, request }) => {
      const m = ops.get(String(params.id));
      if (!m) return error(404, "Operation not found");
      const timeout = Number(new URL(request.url).searchParams.get("timeout") ?? -1);
      const deadline = timeout < 0 ? Infinity : Date.now() + timeout * 1000;
      // Stop holding the request once the client gave up on it.
      while (m.op.status_code < 200 && Date.now() < deadline && !request.signal.aborted) await new Promise((r) => setTimeout(r, 10));
      if (options.waitForm === "5.0.3") {
        if (m.op.status_code < 200) return error(500, "context deadline exceeded", 200);
        if (m.op.status_code !== 200) return error(400, m.op.err || m.op.status, 200);
      }
      return HttpResponse.json(envelope(m.op));
    }),
    http.post(`${base}/1.0/instances/:name/exec`, async ({ params, request }) => {
      const i = instances.get(String(params.name));
      if (!i) return error(404, "Instance not found");
      if (i.status_code !== 103) return error(400, "Instance is not running");
      const body = (await request.json()) as ExecBody;
      if (!Array.isArray(body.command) || body.command.length === 0) return error(400, "Invalid exec command");
      const names = body.interactive ? ["0", "control"] : ["0", "1", "2", "control"];
      const fds = Object.fromEntries(names.map((n) => [n, hex()]));
      const m = newOp(
        "websocket",
        "Executing command",
        { instances: [`/1.0/instances/${i.name}`] },
        { command: body.command, environment: body.environment ?? {}, interactive: !!body.interactive, fds },
      );
      m.fds = fds;
      m.exec = {
        body,
        sockets: new Map(),
        started: false,
        stdinChunks: [],
        stdinEof: false,
        size: { width: body.width ?? 80, height: body.height ?? 25 },
      };
      return accepted(m);
    }),
    opSocket.addEventListener("connection", ({ client }) => {
      logged("WS", client.url);
      const parts = client.url.pathname.split("/");
      const m = ops.get(decodeURIComponent(parts[3] ?? ""));
      const secret = client.url.searchParams.get("secret");
      const fd = m && Object.keys(m.fds).find((k) => m.fds[k] === secret);
      if (!m?.exec || !fd || m.op.status_code >= 200 || m.exec.sockets.has(fd))
        return client.close(1011, "Only running operations can be connected");
      const x = m.exec;
      let closed!: () => void;
      const closedP = new Promise<void>((r) => (closed = r));
      const entry = Object.assign(client as unknown as Client, { closed: closedP, isClosed: false });
      x.sockets.set(fd, entry);
      client.addEventListener("close", () => {
        entry.isClosed = true;
        closed();
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
      if (!x.started && needed.every((n) => x.sockets.has(n))) startExec(m);
    }),
    eventsSocket.addEventListener("connection", ({ client }) => {
      logged("WS", client.url);
      if (traps.refuseEvents || dead) return client.close(1011, "events refused");
      const types = (client.url.searchParams.get("type") ?? "operation,logging,lifecycle").split(",");
      eventConnections++;
      const entry = { client: client as unknown as Client, types };
      eventClients.add(entry);
      client.addEventListener("close", () => eventClients.delete(entry));
    }),
  ];

  // Every request is logged first ("METHOD /path?query"; websockets as "WS /path", secrets
  // redacted), so a test can prove that nothing was sent. A dead daemon answers nothing: every
  // HTTP request fails like a refused connection.
  const requests: string[] = [];
  const logged = (method: string, url: URL) =>
    requests.push(`${method} ${url.pathname}${url.search.replace(/secret=[^&]*/, "secret=[redacted]")}`);
  const deadCheck = http.all(`${base}/*`, ({ request }) => {
    logged(request.method, new URL(request.url));
    return dead ? HttpResponse.error() : undefined;
  });

  function accepted(m: MockOp) {
    return HttpResponse.json(
      {
        type: "async",
        status: "Operation created",
        status_code: 100,
        operation: `/1.0/operations/${m.op.id}`,
        error_code: 0,
        error: "",
        metadata: m.op,
      },
      { status: 202, headers: { Location: `/1.0/operations/${m.op.id}` } },
    );
  }

  return {
    baseUrl: base,
    handlers: [deadCheck, ...handlers],
    /** Every request received, in order: "GET /1.0/operations", "WS /1.0/events?type=operation". */
    requests,
    /** Operations LXD still knows, by id. */
    operations: ops,
    instances,
    /** Images by fingerprint, and aliases by name. */
    images: images.images,
    imageAliases: images.aliases,
    /** Trusted certificates by fingerprint. */
    certificates: trust.certificates,
    /** The wire traps in force; change them during a test. */
    traps,
    /** Drops every events socket without a close frame, as a daemon restart does. */
    dropEventSockets() {
      for (const { client } of [...eventClients]) client.close(1006);
      eventClients.clear();
    },
    /** Open events sockets. */
    get eventSockets() {
      return eventClients.size;
    },
    /** Events sockets ever accepted. */
    get eventConnections() {
      return eventConnections;
    },
    /** Emits an event to the events sockets, e.g. a stale operation state. */
    emit,
  };
}

export type VirtualLxd = ReturnType<typeof createVirtualLxd>;
