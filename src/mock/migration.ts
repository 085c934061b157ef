// The virtual LXD's instance copies and migrations, so that copy and move code can be tested
// between two virtual servers in one process: `source.type: "copy"` within one server, and the
// migration of docs/migration.md between servers in pull, push and relay mode. The source's
// side is `POST /1.0/instances/{name}` with `migration: true` (a websocket operation with
// `control` and `fs` secrets); the target's is `POST /1.0/instances` with `source.type:
// "migration"`. Virtual servers find each other by base URL (pull and push); in relay mode the
// client connects both operations' websockets and the source sends the instance over `fs`. What
// is carried: the instance's config, devices, profiles and description (not its files).
// A live migration of a running instance is refused as LXD 5.0.2 without CRIU refuses it.
import { http, type PathParams } from "msw";
import { newInstance, type MockContext, type MockInstance } from "./context.js";
import { hex, type MockOp } from "./state.js";
import type { Client } from "./types.js";

const CRIU = "Unable to perform container live migration. CRIU isn't installed on the source server";
const SOURCE_WAIT_MS = 10_000;

/** What a migration carries. */
type Payload = Pick<MockInstance, "config" | "devices" | "profiles" | "description" | "type" | "ephemeral">;

interface Pending {
  secrets: Record<string, string>;
  /** Source side: hands the instance over and finishes the source's operation. */
  take?: () => Payload;
  /** Target side (push): creates the instance from what the source sends. */
  give?: (p: Payload) => void;
}

/** Every virtual server's pending migrations, by base URL, so that another one can reach it. */
const SERVERS = new Map<string, Map<string, Pending>>();

const enc = new TextEncoder();
const dec = new TextDecoder();

function peer(url: unknown): { pending: Map<string, Pending> | undefined; id: string } {
  try {
    const u = new URL(String(url));
    const m = /^\/1\.0\/operations\/([^/]+)$/.exec(u.pathname);
    return { pending: SERVERS.get(u.origin), id: decodeURIComponent(m?.[1] ?? "") };
  } catch {
    return { pending: undefined, id: "" };
  }
}

const sameSecrets = (a: Record<string, unknown> | undefined, b: Record<string, string>) =>
  !!a && Object.keys(b).every((k) => a[k] === b[k]);

type Body = {
  name?: string;
  migration?: boolean;
  live?: boolean;
  config?: Record<string, string>;
  devices?: Record<string, Record<string, string>>;
  profiles?: string[];
  description?: string;
  type?: string;
  ephemeral?: boolean;
  target?: { operation?: string; secrets?: Record<string, string> };
  source?: { type?: string; source?: string; mode?: string; operation?: string; secrets?: Record<string, string>; refresh?: boolean };
};

export function mockMigration(ctx: MockContext) {
  const { base, instances, error } = ctx;
  const origin = new URL(base).origin;
  const pending = new Map<string, Pending>();
  SERVERS.set(origin, pending);
  const res = (name: string) => ({ instances: [`/1.0/instances/${name}`] });
  const payloadOf = (i: MockInstance): Payload =>
    structuredClone({
      config: i.config,
      devices: i.devices,
      profiles: i.profiles,
      description: i.description,
      type: i.type,
      ephemeral: i.ephemeral,
    });
  /** The new instance: what was carried, with the request's own fields over it, stopped. */
  const place = (name: string, p: Payload, body: Body, refresh: boolean) => {
    const kept = refresh ? instances.get(name) : undefined;
    instances.set(
      name,
      newInstance(name, {
        ...p,
        ...(kept && { created_at: kept.created_at, snapshots: kept.snapshots }),
        ...(body.config && { config: body.config }),
        ...(body.devices && { devices: body.devices }),
        ...(body.profiles && { profiles: body.profiles }),
        ...(body.description !== undefined && { description: body.description }),
        status: "Stopped",
        status_code: 102,
      }),
    );
    ctx.lifecycle("instance-created", `/1.0/instances/${name}`);
  };
  const websocketOp = (description: string, name: string): [MockOp, Record<string, string>] => {
    const secrets = { control: hex(), fs: hex() };
    const m = ctx.newOp("websocket", description, res(name), secrets) as MockOp;
    m.fds = secrets;
    // Cancellable while it waits for its connections, as a client cleaning up after a failure needs.
    m.op = { ...m.op, may_cancel: true };
    return [m, secrets];
  };

  /** The source's side: a migration operation, reached by a target (pull), pushing (push) or over websockets (relay). */
  const source = http.post<PathParams, Body>(`${base}/1.0/instances/:name`, async ({ request, params }) => {
    const body = (await request.clone().json()) as Body;
    if (!body.migration) return undefined; // a rename: instances.ts
    const name = String(params.name);
    const inst = instances.get(name);
    if (!inst) return error(404, "Instance not found");
    if (body.live && inst.status_code === 103) return error(500, CRIU);
    if (body.target) {
      const to = peer(body.target.operation);
      const m = ctx.newOp("task", "Migrating instance", res(name), {});
      ctx.later(m, () => {
        const t = to.pending?.get(to.id);
        if (!t?.give || !sameSecrets(body.target?.secrets, t.secrets))
          return "Failed sending migration offer header: Empty websocket connection";
        to.pending?.delete(to.id);
        t.give(payloadOf(inst));
        return undefined;
      });
      return ctx.accepted(m);
    }
    const [m, secrets] = websocketOp("Migrating instance", name);
    const done = (err?: string) => {
      pending.delete(m.op.id);
      clearTimeout(timer);
      ctx.finish(m, err ? "Failure" : "Success", err ?? "");
    };
    const timer = setTimeout(() => done("Timed out waiting for connections"), SOURCE_WAIT_MS);
    (timer as { unref?: () => void }).unref?.();
    pending.set(m.op.id, {
      secrets,
      take: () => {
        setTimeout(done, 10);
        return payloadOf(inst);
      },
    });
    // Relay: the instance goes over fs, then both sockets close.
    const sockets: Client[] = [];
    m.attach = (fd, client) => {
      sockets.push(client);
      if (fd !== "fs") return;
      const p = pending.get(m.op.id)?.take?.();
      if (!p) return client.close(1011, "Migration is over");
      client.send(enc.encode(JSON.stringify(p)));
      setTimeout(() => {
        for (const c of sockets) c.close(1000);
      }, 5);
    };
    return ctx.accepted(m);
  });

  /** The target's side: a copy within this server, or a migration from another. */
  const target = http.post<PathParams, Body>(`${base}/1.0/instances`, async ({ request }) => {
    const body = (await request.clone().json()) as Body;
    const src = body.source;
    if (src?.type !== "copy" && src?.type !== "migration") return undefined; // from an image: instances.ts
    const name = body.name;
    if (!name) return error(400, "Instance name is required");
    const refresh = !!src.refresh;
    if (instances.has(name) && !refresh) return error(409, "Instance already exists");
    if (src.type === "copy") {
      const from = instances.get(String(src.source));
      if (!from) return error(404, "Instance not found");
      const m = ctx.newOp("task", "Creating instance", res(name), {});
      ctx.later(m, () => {
        place(name, payloadOf(from), body, refresh);
        return undefined;
      });
      return ctx.accepted(m);
    }
    if (src.mode === "pull") {
      const from = peer(src.operation);
      const m = ctx.newOp("task", "Creating instance", res(name), {});
      ctx.later(m, () => {
        const s = from.pending?.get(from.id);
        if (!s?.take || !sameSecrets(src.secrets, s.secrets)) return "Error transferring instance data: Unable to connect to the source";
        place(name, s.take(), body, refresh);
        return undefined;
      });
      return ctx.accepted(m);
    }
    // Push or relay: wait for the source to push, or for the relayed fs socket.
    const [m, secrets] = websocketOp("Creating instance", name);
    const done = (err?: string) => {
      pending.delete(m.op.id);
      clearTimeout(timer);
      ctx.finish(m, err ? "Failure" : "Success", err ?? "");
    };
    const timer = setTimeout(() => done("Timed out waiting for connections"), SOURCE_WAIT_MS);
    (timer as { unref?: () => void }).unref?.();
    const give = (p: Payload) => {
      place(name, p, body, refresh);
      done();
    };
    pending.set(m.op.id, { secrets, give });
    m.attach = (fd, client) => {
      if (fd !== "fs") return;
      let received: Payload | undefined;
      client.addEventListener("message", (e: MessageEvent) => {
        const data = e.data as unknown;
        if (typeof data === "string") return;
        try {
          received = JSON.parse(dec.decode(data instanceof ArrayBuffer ? new Uint8Array(data) : (data as Uint8Array))) as Payload;
        } catch {
          received = undefined;
        }
      });
      client.addEventListener("close", () => {
        if (m.op.status_code >= 200) return;
        if (received) give(received);
        else done("Error transferring instance data: websocket closed before the instance arrived");
      });
    };
    return ctx.accepted(m);
  });

  return { handlers: [source, target] };
}
