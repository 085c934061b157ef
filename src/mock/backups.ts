// The virtual LXD's instance backups: create (an operation), list, get, rename, delete, export
// (the tarball as bytes) and import (`POST /1.0/instances` with an octet-stream body, the name
// and pool from X-LXD-name / X-LXD-pool), so that code moving instances between two virtual
// servers through backups can be tested without servers. The "tarball" is the virtual LXD's
// own: gzip's magic bytes, then the instance and its files as JSON; another server's virtual LXD
// reads it back, LXD does not.
import { http, HttpResponse, type PathParams } from "msw";
import type { components } from "../generated/lxd.js";
import { newInstance, type MockContext } from "./context.js";
import type { MockFilesystem } from "./files.js";

type Schemas = components["schemas"];

export interface MockBackup {
  name: string;
  created_at: string;
  expires_at: string;
  instance_only: boolean;
  optimized_storage: boolean;
  data: Uint8Array;
}

const MAGIC = [0x1f, 0x8b];
const enc = new TextEncoder();
const b64 = (b: Uint8Array) => btoa(Array.from(b, (c) => String.fromCharCode(c)).join(""));
const unb64 = (s: string) => Uint8Array.from(atob(s), (c) => c.charCodeAt(0));

/** What a virtual backup holds. */
interface Packed {
  instance: {
    name: string;
    config: Record<string, string>;
    devices: Record<string, Record<string, string>>;
    profiles: string[];
    description: string;
    type: string;
  };
  files: [string, { type: "file" | "directory" | "symlink"; mode: number; uid: number; gid: number; data: string }][];
}

export function mockBackups(ctx: MockContext, filesystems: { get(instance: string): MockFilesystem }) {
  const { base, instances, ok, error } = ctx;
  const backups = new Map<string, Map<string, MockBackup>>();
  const of = (instance: string) => {
    let m = backups.get(instance);
    if (!m) backups.set(instance, (m = new Map()));
    return m;
  };
  const view = ({ data: _, ...b }: MockBackup) => ({ ...b, container_only: b.instance_only });
  const path = (i: string, b: string) => `/1.0/instances/${i}/backups/${b}`;

  const pack = (name: string): Uint8Array => {
    const i = instances.get(name)!;
    const packed: Packed = {
      instance: { name, config: i.config, devices: i.devices, profiles: i.profiles, description: i.description, type: i.type },
      files: [...filesystems.get(name)].map(([p, f]) => [p, { type: f.type, mode: f.mode, uid: f.uid, gid: f.gid, data: b64(f.data) }]),
    };
    const json = enc.encode(JSON.stringify(packed));
    const out = new Uint8Array(MAGIC.length + json.byteLength);
    out.set(MAGIC);
    out.set(json, MAGIC.length);
    return out;
  };
  const unpack = (data: Uint8Array): Packed | undefined => {
    if (data[0] !== MAGIC[0] || data[1] !== MAGIC[1]) return undefined;
    try {
      return JSON.parse(new TextDecoder().decode(data.subarray(MAGIC.length))) as Packed;
    } catch {
      return undefined;
    }
  };

  const handlers = [
    // An import: an octet-stream body. Anything else is the instances' JSON create (instances.ts).
    http.post(`${base}/1.0/instances`, async ({ request }) => {
      if (request.headers.get("content-type") !== "application/octet-stream") return undefined;
      const packed = unpack(new Uint8Array(await request.arrayBuffer()));
      if (!packed) return error(400, "Failed to parse backup: not a backup tarball");
      const name = request.headers.get("x-lxd-name") ?? packed.instance.name;
      if (instances.has(name)) return error(409, `Instance "${name}" already exists`);
      const m = ctx.newOp("task", "Restoring backup", { instances: [`/1.0/instances/${name}`] }, {});
      ctx.later(m, () => {
        const { name: _, ...fields } = packed.instance;
        instances.set(name, newInstance(name, { ...fields, status: "Stopped", status_code: 102 }));
        const fs = filesystems.get(name);
        fs.clear();
        for (const [p, f] of packed.files) fs.set(p, { ...f, data: unb64(f.data), modified: new Date() });
        ctx.lifecycle("instance-created", `/1.0/instances/${name}`);
        return undefined;
      });
      return ctx.accepted(m);
    }),
    http.get(`${base}/1.0/instances/:name/backups`, ({ params, request }) => {
      const name = String(params.name);
      if (!instances.has(name)) return error(404, "Instance not found");
      const recursion = new URL(request.url).searchParams.get("recursion") === "1";
      return ok([...of(name).values()].map((b) => (recursion ? view(b) : path(name, b.name))));
    }),
    http.post<PathParams, Schemas["InstanceBackupsPost"]>(`${base}/1.0/instances/:name/backups`, async ({ params, request }) => {
      const name = String(params.name);
      if (!instances.has(name)) return error(404, "Instance not found");
      const body = await request.json();
      const backup = body.name || `backup${of(name).size}`;
      if (backup.includes("/")) return error(400, "Backup names may not contain slashes");
      if (of(name).has(backup)) return error(409, "Backup already exists");
      const m = ctx.newOp("task", "Backing up instance", { instances: [`/1.0/instances/${name}`], backups: [path(name, backup)] }, {});
      ctx.later(m, () => {
        of(name).set(backup, {
          name: backup,
          created_at: new Date().toISOString(),
          expires_at: body.expires_at ?? "0001-01-01T00:00:00Z",
          instance_only: body.instance_only ?? body.container_only ?? false,
          optimized_storage: body.optimized_storage ?? false,
          data: pack(name),
        });
        return undefined;
      });
      return ctx.accepted(m);
    }),
    http.get(`${base}/1.0/instances/:name/backups/:backup`, ({ params }) => {
      const b = backups.get(String(params.name))?.get(String(params.backup));
      return b ? ok(view(b)) : error(404, "Instance backup not found");
    }),
    http.post<PathParams, { name?: string }>(`${base}/1.0/instances/:name/backups/:backup`, async ({ params, request }) => {
      const all = backups.get(String(params.name));
      const b = all?.get(String(params.backup));
      if (!all || !b) return error(404, "Instance backup not found");
      const { name: to } = await request.json();
      if (!to) return error(400, "Backup name is required");
      if (all.has(to)) return error(409, "Backup already exists");
      const m = ctx.newOp("task", "Renaming instance backup", { backups: [path(String(params.name), b.name)] }, {});
      ctx.later(m, () => {
        all.delete(b.name);
        all.set(to, { ...b, name: to });
        return undefined;
      });
      return ctx.accepted(m);
    }),
    http.delete(`${base}/1.0/instances/:name/backups/:backup`, ({ params }) => {
      const all = backups.get(String(params.name));
      const b = all?.get(String(params.backup));
      if (!all || !b) return error(404, "Instance backup not found");
      const m = ctx.newOp("task", "Removing instance backup", { backups: [path(String(params.name), b.name)] }, {});
      ctx.later(m, () => void all.delete(b.name));
      return ctx.accepted(m);
    }),
    http.get(`${base}/1.0/instances/:name/backups/:backup/export`, ({ params }) => {
      const b = backups.get(String(params.name))?.get(String(params.backup));
      if (!b) return error(404, "Instance backup not found");
      return new HttpResponse(b.data, {
        headers: { "content-type": "application/octet-stream", "content-length": String(b.data.byteLength) },
      });
    }),
  ];
  return { handlers, backups };
}
