// The virtual LXD's instance copies and migrations, so that copy and move code can be tested
// between two virtual servers in one process: `source.type: "copy"` within one server, and the
// migration of docs/migration.md between servers in pull, push and relay mode. The source's
// side is `POST /1.0/instances/{name}` with `migration: true` (a websocket operation with
// `control` and `fs` secrets); the target's is `POST /1.0/instances` with `source.type:
// "migration"`. Virtual servers find each other by base URL (pull and push); in relay mode the
// client connects both operations' websockets and the source sends the instance over `fs` (the
// wire both sides share with volume migrations: migration-wire.ts). What
// is carried: the instance's config, devices, profiles and description (not its files).
// A live migration of a running instance is refused as LXD 5.0.2 without CRIU refuses it.
import { http, type PathParams } from "msw";
import { newInstance, type MockContext, type MockInstance } from "./context.js";
import { migrationKind } from "./migration-wire.js";

const CRIU = "Unable to perform container live migration. CRIU isn't installed on the source server";

/** What a migration carries. */
type Payload = Pick<MockInstance, "config" | "devices" | "profiles" | "description" | "type" | "ephemeral">;

const wireOf = migrationKind<Payload>({
  lost: "Error transferring instance data: websocket closed before the instance arrived",
  timeout: "Timed out waiting for connections",
});

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
  const wire = wireOf(ctx);
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

  /** The source's side: a migration operation, reached by a target (pull), pushing (push) or over websockets (relay). */
  const source = http.post<PathParams, Body>(`${base}/1.0/instances/:name`, async ({ request, params }) => {
    const body = (await request.clone().json()) as Body;
    if (!body.migration) return undefined; // a rename: instances.ts
    const name = String(params.name);
    const inst = instances.get(name);
    if (!inst) return error(404, "Instance not found");
    if (body.live && inst.status_code === 103) return error(500, CRIU);
    if (body.target) {
      const { operation, secrets } = body.target;
      const m = ctx.newOp("task", "Migrating instance", res(name), {});
      ctx.later(m, () =>
        wire.push(operation, secrets, payloadOf(inst)) ? undefined : "Failed sending migration offer header: Empty websocket connection",
      );
      return ctx.accepted(m);
    }
    return ctx.accepted(wire.offer("Migrating instance", res(name), () => payloadOf(inst)));
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
      const m = ctx.newOp("task", "Creating instance", res(name), {});
      ctx.later(m, () => {
        const p = wire.pull(src.operation, src.secrets);
        if (p === undefined) return "Error transferring instance data: Unable to connect to the source";
        place(name, p, body, refresh);
        return undefined;
      });
      return ctx.accepted(m);
    }
    // Push or relay: wait for the source to push, or for the relayed fs socket.
    return ctx.accepted(wire.sink("Creating instance", res(name), (p) => place(name, p, body, refresh)));
  });

  return { handlers: [source, target] };
}
