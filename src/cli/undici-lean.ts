// What the CLI bundle gets for `import … from "undici"` (an alias in tsup.config.ts, CLI build
// only): the parts the Node transport uses, from undici's own files, instead of its index,
// which loads every dispatcher, the mock agents, caches, fetch and EventSource (about 90 ms and
// 20 MiB of start-up, measured with bench/cli.mjs). The WebSocket half loads on first use, so
// `operations list` never compiles it. undici 7 has no `exports` map, so these paths resolve.
import { createRequire } from "node:module";
import type * as Undici from "undici";

const require = createRequire(import.meta.url);

export const Agent: typeof Undici.Agent = require("undici/lib/dispatcher/agent.js");
export const buildConnector: typeof Undici.buildConnector = require("undici/lib/core/connect.js");
// What undici's index does to every dispatcher: request(), upgrade() (the Node transport's
// websockets), connect(), stream(), pipeline() as methods.
Object.assign((require("undici/lib/dispatcher/dispatcher.js") as { prototype: object }).prototype, require("undici/lib/api/index.js"));

let real: typeof Undici.WebSocket | undefined;
const load = () => (real ??= (require("undici/lib/web/websocket/websocket.js") as { WebSocket: typeof Undici.WebSocket }).WebSocket);

/** undici's WebSocket class, loaded when first constructed or inspected. */
export const WebSocket = new Proxy(function WebSocket() {} as unknown as typeof Undici.WebSocket, {
  construct: (_, args) => new (load())(...(args as [string])),
  get: (_, key) => Reflect.get(load(), key),
  getPrototypeOf: () => Reflect.getPrototypeOf(load()),
});
