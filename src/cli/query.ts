// `query [R:]<path> [-X METHOD] [-d DATA] [--wait] [--raw]`, as `lxc query`: any API path through
// the same pipeline as every call (scope, hooks, TLS). A sync answer prints its metadata, an
// operation prints the operation (with --wait, its metadata once done), --raw the whole envelope.
import { splitRemote, UsageError } from "./args.js";
import type { CommandContext } from "./flags.js";
import { json } from "./format.js";

const METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"] as const;
type QueryMethod = (typeof METHODS)[number];
type Envelope = { type?: string; error?: string; error_code?: number; metadata?: unknown };
type Loose = Record<QueryMethod, (path: string, init: object) => Promise<{ data?: unknown; error?: unknown; response: Response }>>;

export async function run(ctx: CommandContext): Promise<number> {
  const { lxd, flags, out, err } = ctx;
  if (ctx.args.length !== 1) throw new UsageError("query [R:]<path> [-X METHOD] [-d DATA] [--wait] [--raw]");
  const [given, path] = splitRemote(ctx.args[0]);
  if (!path.startsWith("/")) throw new UsageError(`query: the path must start with / (got ${JSON.stringify(path)})`);
  const method = (flags.request ?? "GET").toUpperCase() as QueryMethod;
  if (!METHODS.includes(method)) throw new UsageError(`query: -X is one of ${METHODS.join(", ")}`);
  let body: unknown;
  if (flags.data !== undefined) {
    try {
      body = JSON.parse(flags.data);
    } catch {
      throw new UsageError("query: -d must be JSON");
    }
  }
  const remote = given ?? flags.remote;
  const conn = lxd.remote(remote);
  const scoped = flags.project !== undefined ? conn.project(flags.project) : conn;
  const target = flags.target !== undefined ? scoped.target(flags.target) : scoped;
  // The typed client of api() takes any path at run time; the path is the user's here.
  const client = target.api() as unknown as Loose;
  // As text: most answers are LXD envelopes (JSON), but some paths answer otherwise (`/1.0/metrics`
  // is OpenMetrics text), which is printed as it came.
  const { data, error, response } = await client[method](path, { parseAs: "text", ...(body !== undefined && { body }) });
  if (response.ok && !/json/i.test(response.headers.get("content-type") ?? "")) {
    out(String(data ?? "").replace(/\n$/, ""));
    return 0;
  }
  const envelope = (typeof data === "string" ? parseEnvelope(data) : (data ?? error)) as Envelope | undefined;
  if (!response.ok || envelope?.type === "error") {
    err(`lxd-fetch: ${envelope?.error || `HTTP ${response.status}`}`);
    return 1;
  }
  if (flags.raw) {
    out(json(envelope));
    return 0;
  }
  if (envelope?.type === "async" && flags.wait) {
    const op = envelope.metadata as { id: string };
    const done = await target.operations.wait(op.id);
    if (done.err) {
      err(`lxd-fetch: ${done.err}`);
      return 1;
    }
    out(json(done.metadata ?? null));
    return 0;
  }
  out(json(envelope?.metadata ?? null));
  return 0;
}

function parseEnvelope(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
