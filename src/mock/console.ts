// The virtual LXD's console: fds `0` and `control` as LXD gives them, a line-echoing shell that
// answers a carriage return with a prompt, window-resize kept, and LXD's detach (control closes:
// "\n\r", then the data socket drops without a close frame). The log is what the console wrote.
import { type HttpHandler, HttpResponse, http } from "msw";
import { asyncResponse, errorResponse as error, syncResponse as sync } from "./envelopes.js";
import { type Client, hex, type VirtualState } from "./state.js";

export const MOCK_PROMPT = "/ # ";

export interface ConsoleState {
  /** The fds the client closed, in order (LXD 5.0.2 crashes when control goes first: see src/console.ts). */
  closed: string[];
  log: string;
  size: { width: number; height: number };
}

export interface MockConsoles {
  handlers: HttpHandler[];
  /** Each instance's console: its log and terminal size. */
  consoles: { get(instance: string): ConsoleState };
}

export function mockConsole(s: VirtualState): MockConsoles {
  const consoles = new Map<string, ConsoleState>();
  const stateOf = (name: string) => {
    let c = consoles.get(name);
    if (!c) consoles.set(name, (c = { log: "", size: { width: 80, height: 25 }, closed: [] }));
    return c;
  };
  const path = `${s.base}/1.0/instances/:name/console`;

  const handlers = [
    http.post(path, async ({ params, request }) => {
      const i = s.instances.get(String(params.name));
      if (!i) return error(404, "Instance not found");
      if (i.status_code !== 103) return error(400, "Instance is not running");
      const body = (await request.json().catch(() => ({}))) as { width?: number; height?: number };
      const state = stateOf(i.name);
      if (body.width && body.height) state.size = { width: body.width, height: body.height };
      const fds = { "0": hex(), control: hex() };
      const m = s.newOp("websocket", "Showing console", { instances: [`/1.0/instances/${i.name}`] }, { fds });
      m.fds = fds;
      const sockets: Record<string, Client> = {};
      let ended = false;
      const end = () => {
        if (ended) return;
        ended = true;
        const data = sockets["0"];
        if (data) {
          data.send(new TextEncoder().encode("\n\r").buffer);
          setTimeout(() => data.close(1006), 1); // MSW delivers frames a tick later: the close must not overtake them
        }
        s.finish(m, "Success");
      };
      m.attach = (fd, client) => {
        sockets[fd] = client;
        client.addEventListener("close", () => state.closed.push(fd));
        if (fd === "control") {
          client.addEventListener("close", end);
          client.addEventListener("message", (e) => {
            const msg = JSON.parse(String(e.data)) as { command?: string; args?: { width?: unknown; height?: unknown } };
            if (msg.command === "window-resize" && typeof msg.args?.width === "string" && typeof msg.args.height === "string")
              state.size = { width: Number(msg.args.width), height: Number(msg.args.height) };
          });
          return;
        }
        const write = (text: string) => {
          state.log += text;
          client.send(new TextEncoder().encode(text).buffer);
        };
        client.addEventListener("message", (e) => {
          if (typeof e.data === "string") return end(); // a text frame is a barrier: the console ends
          const text = new TextDecoder().decode(e.data as ArrayBuffer | Uint8Array);
          write(text.replace(/\r/g, `\r\n${MOCK_PROMPT}`));
        });
        client.addEventListener("close", end);
      };
      return asyncResponse(m.op);
    }),
    http.get(path, ({ params }) => {
      if (!s.instances.has(String(params.name))) return error(404, "Instance not found");
      return new HttpResponse(stateOf(String(params.name)).log, { headers: { "content-type": "application/octet-stream" } });
    }),
    http.delete(path, ({ params }) => {
      if (!s.instances.has(String(params.name))) return error(404, "Instance not found");
      stateOf(String(params.name)).log = "";
      return sync({});
    }),
  ];
  return { handlers, consoles: { get: stateOf } };
}
