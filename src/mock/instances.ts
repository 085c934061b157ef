// The virtual LXD's instances: list (recursion 0/1/2, filter `name eq x`), get, create from an
// image alias or fingerprint, PUT (update or restore), PATCH, rename, delete (running: refused),
// state, and snapshots. Changes run as operations, as LXD's do.
import { http, type PathParams } from "msw";
import type { components } from "../generated/lxd.js";
import { newInstance, type MockContext, type MockInstance } from "./context.js";
import { matchesName } from "./filter.js";

type Schemas = components["schemas"];

const STOPPED = { status: "Stopped", status_code: 102 } as const;
const RUNNING = { status: "Running", status_code: 103 } as const;
const ACTIONS = ["start", "stop", "restart", "freeze", "unfreeze"];
const LIFECYCLE: Record<string, string> = {
  start: "started",
  stop: "stopped",
  restart: "restarted",
  freeze: "paused",
  unfreeze: "resumed",
};

/** An instance as LXD renders it: the spec's Instance, or with `full` its InstanceFull. */
function view(i: MockInstance, full: boolean): Schemas["Instance"] | Schemas["InstanceFull"] {
  const { snapshots, ...fields } = i;
  const out = { ...fields, architecture: "x86_64", stateful: false, location: "none", project: "default", expanded_config: i.config };
  if (!full) return out;
  // LXD sends Go's nil slices as null: no snapshots, and no backups (the virtual LXD makes none).
  return {
    ...out,
    state: { status: i.status, status_code: i.status_code, pid: 1, processes: 1 },
    snapshots: snapshots.size > 0 ? [...snapshots.values()] : null,
    backups: null,
  };
}

export function instanceHandlers(ctx: MockContext, images: { has(ref: { alias?: string; fingerprint?: string }): boolean }) {
  const { base, instances, ok, error } = ctx;
  const find = (name: unknown) => instances.get(String(name));
  const res = (name: string) => ({ instances: [`/1.0/instances/${name}`] });
  // LXD's lifecycle event for each change, so watchers and event tests see what LXD sends.
  const changed = (action: string, name: string, context?: Record<string, unknown>) =>
    ctx.lifecycle(`instance-${action}`, `/1.0/instances/${name}`, context);

  return [
    http.get(`${base}/1.0/instances`, ({ request }) => {
      const q = new URL(request.url).searchParams;
      const recursion = Number(q.get("recursion") ?? 0);
      const list = [...instances.values()].filter((i) => matchesName(q.get("filter"), i));
      return ok(list.map((i) => (recursion ? view(i, recursion === 2) : `/1.0/instances/${i.name}`)));
    }),
    http.post<PathParams, Schemas["InstancesPost"]>(`${base}/1.0/instances`, async ({ request }) => {
      const body = await request.json();
      if (!body.name) return error(400, "Instance name is required");
      if (instances.has(body.name)) return error(409, "Instance already exists");
      if (!body.source || !images.has(body.source)) return error(404, "Image not found");
      const name = body.name;
      const m = ctx.newOp("task", "Creating instance", res(name), {});
      ctx.later(m, () => {
        instances.set(
          name,
          newInstance(name, {
            ...STOPPED,
            config: body.config ?? {},
            devices: body.devices ?? {},
            profiles: body.profiles ?? ["default"],
            ephemeral: body.ephemeral ?? false,
            description: body.description ?? "",
            type: body.type ?? "container",
          }),
        );
        changed("created", name);
        return undefined;
      });
      return ctx.accepted(m);
    }),
    http.get(`${base}/1.0/instances/:name`, ({ params, request }) => {
      const i = find(params.name);
      return i ? ok(view(i, new URL(request.url).searchParams.get("recursion") === "1")) : error(404, "Instance not found");
    }),
    http.patch<PathParams, Schemas["InstancePut"]>(`${base}/1.0/instances/:name`, async ({ params, request }) => {
      const i = find(params.name);
      if (!i) return error(404, "Instance not found");
      const body = await request.json();
      Object.assign(i, {
        ...body,
        config: { ...i.config, ...body.config },
        devices: { ...i.devices, ...body.devices },
        snapshots: i.snapshots,
      });
      changed("updated", i.name);
      return ok({});
    }),
    http.put<PathParams, Schemas["InstancePut"]>(`${base}/1.0/instances/:name`, async ({ params, request }) => {
      const i = find(params.name);
      if (!i) return error(404, "Instance not found");
      const body = await request.json();
      if (body.restore !== undefined) {
        const snap = i.snapshots.get(body.restore);
        if (!snap) return error(404, "Snapshot not found");
        const m = ctx.newOp("task", "Restoring snapshot", res(i.name), {});
        ctx.later(m, () => void (i.config = { ...snap.config }));
        return ctx.accepted(m);
      }
      const m = ctx.newOp("task", "Updating instance", res(i.name), {});
      ctx.later(m, () => {
        const { config = {}, devices = {}, profiles = [], description = "", ephemeral = false } = body;
        Object.assign(i, { config, devices, profiles, description, ephemeral });
        changed("updated", i.name);
        return undefined;
      });
      return ctx.accepted(m);
    }),
    http.post<PathParams, Schemas["InstancePost"]>(`${base}/1.0/instances/:name`, async ({ params, request }) => {
      const i = find(params.name);
      if (!i) return error(404, "Instance not found");
      const { name } = await request.json();
      if (!name) return error(400, "Instance name is required");
      if (i.status_code !== 102) return error(400, "Renaming of running instance not allowed");
      if (instances.has(name)) return error(409, `Name "${name}" already in use`);
      const m = ctx.newOp("task", "Renaming instance", res(i.name), {});
      const old = i.name;
      ctx.later(m, () => {
        instances.delete(i.name);
        i.name = name;
        instances.set(name, i);
        changed("renamed", name, { old_name: old });
        return undefined;
      });
      return ctx.accepted(m);
    }),
    http.delete(`${base}/1.0/instances/:name`, ({ params }) => {
      const i = find(params.name);
      if (!i) return error(404, "Instance not found");
      if (i.status_code !== 102) return error(400, "Instance is running");
      const m = ctx.newOp("task", "Deleting instance", res(i.name), {});
      ctx.later(m, () => {
        instances.delete(i.name);
        changed("deleted", i.name);
        return undefined;
      });
      return ctx.accepted(m);
    }),
    http.get(`${base}/1.0/instances/:name/state`, ({ params }) => {
      const i = find(params.name);
      return i ? ok({ status: i.status, status_code: i.status_code, pid: 1, processes: 1 }) : error(404, "Instance not found");
    }),
    http.put<PathParams, Schemas["InstanceStatePut"]>(`${base}/1.0/instances/:name/state`, async ({ params, request }) => {
      const i = find(params.name);
      if (!i) return error(404, "Instance not found");
      const { action = "" } = await request.json();
      if (!ACTIONS.includes(action)) return error(400, `Unknown action: '${action}'`); // lxd/instance_state.go
      if (action === "start" && i.status_code === 103) return error(400, "The instance is already running");
      if (action === "stop" && i.status_code === 102) return error(400, "The instance is already stopped");
      const m = ctx.newOp("task", `${action[0]!.toUpperCase()}${action.slice(1)}ing instance`, res(i.name), {});
      ctx.later(m, () => {
        if (action === "stop") Object.assign(i, STOPPED);
        if (action === "start" || action === "restart") Object.assign(i, RUNNING);
        changed(LIFECYCLE[action] ?? "updated", i.name);
        return undefined;
      });
      return ctx.accepted(m);
    }),
    http.get(`${base}/1.0/instances/:name/snapshots`, ({ params, request }) => {
      const i = find(params.name);
      if (!i) return error(404, "Instance not found");
      const recursion = new URL(request.url).searchParams.get("recursion") === "1";
      return ok([...i.snapshots.values()].map((s) => (recursion ? s : `/1.0/instances/${i.name}/snapshots/${s.name}`)));
    }),
    http.post<PathParams, Schemas["InstanceSnapshotsPost"]>(`${base}/1.0/instances/:name/snapshots`, async ({ params, request }) => {
      const i = find(params.name);
      if (!i) return error(404, "Instance not found");
      const { name, stateful = false } = await request.json();
      if (!name) return error(400, "Snapshot name is required");
      if (i.snapshots.has(name)) return error(409, "Snapshot already exists");
      const m = ctx.newOp("task", "Snapshotting instance", res(i.name), {});
      ctx.later(m, () => void i.snapshots.set(name, { name, created_at: new Date().toISOString(), config: { ...i.config }, stateful }));
      return ctx.accepted(m);
    }),
    http.delete(`${base}/1.0/instances/:name/snapshots/:snapshot`, ({ params }) => {
      const i = find(params.name);
      const snap = String(params.snapshot);
      if (!i?.snapshots.has(snap)) return error(404, "Snapshot not found");
      const m = ctx.newOp("task", "Deleting snapshot", res(i.name), {});
      ctx.later(m, () => void i.snapshots.delete(snap));
      return ctx.accepted(m);
    }),
  ];
}
