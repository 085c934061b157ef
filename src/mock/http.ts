// The virtual LXD's HTTP API: /1.0, operations (list, get, cancel, /wait in the 5.0.x form or the
// >= 5.0.3 one), instances and their state, token certificates, and exec's POST.
import { type HttpHandler, HttpResponse, http } from "msw";
import { asyncResponse, errorResponse as error, syncResponse as sync } from "./envelopes.js";
import { runDetached } from "./exec.js";
import { type ExecBody, hex, type MockOp, type VirtualState } from "./state.js";

const accepted = (m: MockOp) => asyncResponse(m.op);

/** The HTTP handlers, the request logger (and dead-daemon check) first. */
export function httpHandlers(s: VirtualState): HttpHandler[] {
  const { base, ops, instances, newOp, finish, options } = s;
  return [
    // Every request is logged first, so a test can prove that nothing was sent. A dead daemon
    // answers nothing: every HTTP request fails like a refused connection.
    http.all(`${base}/*`, ({ request }) => {
      s.logged(request.method, new URL(request.url));
      return s.dead ? HttpResponse.error() : undefined;
    }),
    http.get(`${base}/1.0`, () =>
      sync({
        api_extensions: s.extensions,
        api_status: "stable",
        api_version: "1.0",
        auth: "trusted",
        config: s.serverConfig,
        // LXD by name (the Incus crash guard, src/capabilities/volume-migration.ts, reads it), its own
        // address and a certificate of its own (image copy tells two servers apart by it).
        environment: {
          server: "lxd",
          server_version: "5.0.2",
          server_name: "virtual",
          addresses: [new URL(base).host],
          certificate: `virtual ${base}`,
        },
      }),
    ),
    http.get(`${base}/1.0/operations`, ({ request }) => {
      const recursion = new URL(request.url).searchParams.get("recursion") === "1";
      const map: Record<string, unknown[]> = {};
      for (const { op } of ops.values()) (map[op.status.toLowerCase()] ??= []).push(recursion ? op : `/1.0/operations/${op.id}`);
      return sync(map);
    }),
    http.get(`${base}/1.0/operations/:id`, ({ params }) => {
      const m = ops.get(String(params.id));
      return m ? sync(m.op) : error(404, "Operation not found");
    }),
    http.delete(`${base}/1.0/operations/:id`, ({ params }) => {
      const m = ops.get(String(params.id));
      if (!m) return error(404, "Operation not found");
      if (!m.op.may_cancel) return error(400, "This operation can't be cancelled");
      finish(m, "Cancelled");
      return sync({});
    }),
    http.get(`${base}/1.0/operations/:id/wait`, async ({ params, request }) => {
      const m = ops.get(String(params.id));
      if (!m) return error(404, "Operation not found");
      const timeout = Number(new URL(request.url).searchParams.get("timeout") ?? -1);
      const deadline = timeout < 0 ? Infinity : Date.now() + timeout * 1000;
      // Stop holding the request once the client gave up on it.
      while (m.op.status_code < 200 && Date.now() < deadline && !request.signal.aborted && !s.dead)
        await new Promise((r) => setTimeout(r, 10));
      // A daemon that dies drops the requests it holds, as a connection reset.
      if (s.dead) return HttpResponse.error();
      if (options.waitForm === "5.0.3") {
        if (m.op.status_code < 200) return error(500, "context deadline exceeded", 200);
        if (m.op.status_code !== 200) return error(400, m.op.err || m.op.status, 200);
      }
      return sync(m.op);
    }),
    http.post(`${base}/1.0/instances/:name/exec`, async ({ params, request }) => {
      const i = instances.get(String(params.name));
      if (!i) return error(404, "Instance not found");
      if (i.status_code !== 103) return error(400, "Instance is not running");
      const body = (await request.json()) as ExecBody;
      if (!Array.isArray(body.command) || body.command.length === 0) return error(400, "Invalid exec command");
      if (body.interactive && body["record-output"]) return error(400, 'Cannot use "interactive" in combination with "record-output"');
      if (!body["wait-for-websocket"]) {
        // No websockets: a task that runs the command at once, stdin empty, output recorded or dropped.
        const m = newOp("task", "Executing command", { instances: [`/1.0/instances/${i.name}`] }, {});
        runDetached(s, m, i.name, body);
        return accepted(m);
      }
      const names = body.interactive ? ["0", "control"] : ["0", "1", "2", "control"];
      const fds = Object.fromEntries(names.map((n) => [n, hex()]));
      const m = newOp(
        "websocket",
        "Executing command",
        { instances: [`/1.0/instances/${i.name}`] },
        { command: body.command, environment: body.environment ?? {}, interactive: !!body.interactive, fds },
      );
      m.fds = fds;
      if ((s.traps.socketsTimeout ?? 0) > 0) {
        // The server gave up waiting for the sockets (under load): the command never ran.
        s.traps.socketsTimeout!--;
        finish(m, "Failure", "Timed out waiting for websockets to connect");
      }
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
  ];
}
