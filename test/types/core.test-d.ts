// Type tests, checked by `tsc -p .` (part of `npm test`), never run: each `@ts-expect-error`
// fails the check if its line compiles, so a wrong method, path, path parameter, query or body
// must not compile; `expectTypeOf` proves the results carry the spec's types.
import { expectTypeOf } from "vitest";
import type { Core, SyncMetadata } from "../../src/request/core.js";
import type { components } from "../../src/generated/lxd.js";
import { type StartDeps, startOperation } from "../../src/capabilities/operation.js";
import { RawBody } from "../../src/request/raw-body.js";
import type {
  Certificate,
  Image,
  Instance,
  InstanceFull,
  InstanceState,
  Lxd,
  LxdOperation,
  Operation,
  OperationMap,
} from "../../src/index.js";

type Schemas = components["schemas"];
declare const core: Core;
declare const lxd: Lxd;
declare const flag: boolean;

export async function requests() {
  // A path that does not exist, and a method a path does not have.
  // @ts-expect-error
  await core.send("r", "GET", "/1.0/nope");
  // @ts-expect-error
  await core.send("r", "PATCH", "/1.0/operations/{id}", { params: { path: { id: "x" } } });
  // @ts-expect-error
  await core.send("r", "POST", "/1.0/operations");

  // A path parameter misspelled, missing, or the whole params left out.
  // @ts-expect-error
  await core.send("r", "GET", "/1.0/operations/{id}", { params: { path: { uuid: "x" } } });
  // @ts-expect-error
  await core.send("r", "GET", "/1.0/operations/{id}", { params: { path: {} } });
  // @ts-expect-error
  await core.send("r", "GET", "/1.0/operations/{id}");

  // A query parameter the spec does not have, or of the wrong type.
  // @ts-expect-error
  await core.send("r", "GET", "/1.0/operations", { params: { query: { recursive: 1 } } });
  // @ts-expect-error
  await core.send("r", "GET", "/1.0/operations", { params: { query: { recursion: 3 } } });
  // @ts-expect-error
  await core.send("r", "GET", "/1.0/operations/{id}/wait", { params: { path: { id: "x" }, query: { timeout: "30" } } });

  // A body where none is taken, a body of the wrong shape, exec without its command.
  // @ts-expect-error
  await core.send("r", "GET", "/1.0", { body: {} });
  // @ts-expect-error
  await core.send("r", "PUT", "/1.0/instances/{name}/state", { params: { path: { name: "c1" } }, body: { action: 1 } });
  // @ts-expect-error
  await core.send("r", "POST", "/1.0/instances/{name}/exec", { params: { path: { name: "c1" } }, body: { interactive: false } });

  // A body the spec requires, left out.
  // @ts-expect-error
  await core.send("r", "POST", "/1.0/certificates");

  // Raw bytes go where the spec takes other media than JSON (an image upload, an instance
  // backup to import), and nowhere else.
  const upload = new RawBody(new Uint8Array(), { "content-type": "application/octet-stream" });
  await core.send("r", "POST", "/1.0/images", { body: upload });
  await core.send("r", "POST", "/1.0/images", { body: { source: { type: "url", url: "https://images.example" } } });
  await core.send("r", "POST", "/1.0/instances", { body: upload });
  // @ts-expect-error
  await core.send("r", "POST", "/1.0/instances/{name}/snapshots", { params: { path: { name: "c1" } }, body: upload });
  // @ts-expect-error
  await core.send("r", "PUT", "/1.0/instances/{name}/state", { params: { path: { name: "c1" } }, body: upload });
  // @ts-expect-error
  await core.send("r", "POST", "/1.0/certificates", { body: upload });

  // Right requests compile, and the metadata is the spec's.
  const op = await core.send("r", "GET", "/1.0/operations/{id}", { params: { path: { id: "x" } } });
  if (op.envelope.type === "sync") expectTypeOf(op.envelope.metadata).toEqualTypeOf<Schemas["Operation"]>();
  const state = await core.send("r", "GET", "/1.0/instances/{name}/state", { params: { path: { name: "c1" } } });
  if (state.envelope.type === "sync") expectTypeOf(state.envelope.metadata).toEqualTypeOf<Schemas["InstanceState"]>();
  const exec = await core.send("r", "POST", "/1.0/instances/{name}/exec", {
    params: { path: { name: "c1" } },
    body: { command: ["true"], "wait-for-websocket": true },
  });
  if (exec.envelope.type === "async") expectTypeOf(exec.envelope.metadata.id).toEqualTypeOf<string>();
}

export function recursionForms() {
  // The listing's forms: URLs without recursion, objects with 1, either for an unknown level.
  expectTypeOf<SyncMetadata<"GET", "/1.0/operations">>().toEqualTypeOf<{ [key: string]: string[] }>();
  expectTypeOf<SyncMetadata<"GET", "/1.0/operations", { params: { query: { recursion: 0 } } }>>().toEqualTypeOf<{
    [key: string]: string[];
  }>();
  expectTypeOf<SyncMetadata<"GET", "/1.0/operations", { params: { query: { recursion: 1 } } }>>().toEqualTypeOf<{
    [key: string]: Schemas["Operation"][];
  }>();
  expectTypeOf<SyncMetadata<"GET", "/1.0/operations", { params: { query: { recursion: 0 | 1 } } }>>().toEqualTypeOf<
    { [key: string]: string[] } | { [key: string]: Schemas["Operation"][] }
  >();
}

export async function helpers() {
  expectTypeOf(await lxd.operations.list()).toEqualTypeOf<OperationMap<string>>();
  expectTypeOf(await lxd.operations.list(undefined, { recursion: true })).toEqualTypeOf<OperationMap<Operation>>();
  expectTypeOf(await lxd.operations.list(undefined, { recursion: false })).toEqualTypeOf<OperationMap<string>>();
  // A plain boolean is either form, not the URL form.
  expectTypeOf(await lxd.operations.list(undefined, { recursion: flag })).toEqualTypeOf<OperationMap<string> | OperationMap<Operation>>();
  expectTypeOf(await lxd.operations.list("r", (m) => Object.keys(m).length)).toEqualTypeOf<number>();
  expectTypeOf(await lxd.operations.info("r", "id", { signal: AbortSignal.timeout(1) }, (op) => op.status_code)).toEqualTypeOf<
    Operation["status_code"]
  >();
  expectTypeOf(await lxd.instances.state("r", "c1")).toEqualTypeOf<InstanceState>();
  // @ts-expect-error a mutator that is not a function
  await lxd.operations.info("r", "id", {}, 1);
  // @ts-expect-error an action LXD does not have
  await lxd.instances.setState("r", "c1", { action: 1 });
}

export async function scoped() {
  const r = lxd.remote("r");
  expectTypeOf(await r.operations.list()).toEqualTypeOf<OperationMap<string>>();
  expectTypeOf(await r.operations.list({ recursion: true })).toEqualTypeOf<OperationMap<Operation>>();
  expectTypeOf(await r.project("p").operations.info("id", (op) => op.id)).toEqualTypeOf<string>();
  // @ts-expect-error the scoped calls take no remote
  await r.operations.info("r", "id");
  // @ts-expect-error
  await r.run("r", "c1", ["true"]);
}

export async function instances() {
  // The list's forms by recursion: names, Instance objects, InstanceFull objects.
  expectTypeOf(await lxd.instances.list()).toEqualTypeOf<string[]>();
  expectTypeOf(await lxd.instances.list("r", { recursion: 0, filter: "status eq Running" })).toEqualTypeOf<string[]>();
  expectTypeOf(await lxd.instances.list("r", { recursion: 1 })).toEqualTypeOf<Instance[]>();
  expectTypeOf(await lxd.instances.list("r", { recursion: 2, allProjects: true })).toEqualTypeOf<InstanceFull[]>();
  expectTypeOf(await lxd.instances.list("r", { recursion: 1 }, (l) => l.map((i) => i.name))).toEqualTypeOf<(string | undefined)[]>();
  expectTypeOf(await lxd.instances.list("r", (names) => names.length)).toEqualTypeOf<number>();
  // The state an InstanceFull carries is the one state() gives (LXD's fields and Incus's).
  expectTypeOf<NonNullable<InstanceFull["state"]>>().toEqualTypeOf<InstanceState>();
  expectTypeOf(await lxd.instances.get("r", "c1", { full: true })).toEqualTypeOf<InstanceFull>();
  expectTypeOf(await lxd.instances.create("r", "c1", { alias: "bb" }, { profiles: ["default"] })).toEqualTypeOf<LxdOperation>();
  expectTypeOf(await lxd.instances.launch("r", "c1", "bb", (i) => i.status)).toEqualTypeOf<string | undefined>();
  expectTypeOf(await lxd.instances.snapshots.list("r", "c1")).toEqualTypeOf<string[]>();
  expectTypeOf(await lxd.instances.snapshots.list("r", "c1", { recursion: true })).toEqualTypeOf<Schemas["InstanceSnapshot"][]>();
  expectTypeOf(
    await lxd
      .remote("r")
      .project("p")
      .instances.snapshots.list("c1", { recursion: true }, (s) => s.length),
  ).toEqualTypeOf<number>();
  // @ts-expect-error a recursion level LXD does not have
  await lxd.instances.list("r", { recursion: 3 });
  // @ts-expect-error an image is an alias, { alias } or { fingerprint }
  await lxd.instances.create("r", "c1", { name: "bb" });
  // @ts-expect-error config values are strings
  await lxd.instances.create("r", "c1", "bb", { config: { "limits.cpu": 2 } });
  // @ts-expect-error delete takes no image
  await lxd.instances.delete("r", "c1", "bb");
  // @ts-expect-error the instance name is required
  await lxd.instances.get("r");
}

export async function scopedHelpers() {
  const p = lxd.remote("r").project("p");
  expectTypeOf(await p.instances.list()).toEqualTypeOf<string[]>();
  expectTypeOf(await p.instances.list({ recursion: 2 })).toEqualTypeOf<InstanceFull[]>();
  expectTypeOf(await p.instances.list((names) => names[0])).toEqualTypeOf<string | undefined>();
  expectTypeOf(await p.instances.get("c1")).toEqualTypeOf<InstanceFull>();
  expectTypeOf(await p.instances.get("c1", { full: true }, (i) => i.state?.status)).toEqualTypeOf<string | undefined>();
  expectTypeOf(await p.instances.state("c1")).toEqualTypeOf<InstanceState>();
  expectTypeOf(await p.instances.setState("c1", { action: "start" })).toEqualTypeOf<LxdOperation>();
  expectTypeOf(await p.instances.snapshots.create("c1", "s1", { stateful: false })).toEqualTypeOf<LxdOperation>();
  expectTypeOf(await p.images.list()).toEqualTypeOf<string[]>();
  expectTypeOf(await p.images.list({ recursion: true })).toEqualTypeOf<Image[]>();
  expectTypeOf(await p.images.get("abc")).toEqualTypeOf<Image>();
  expectTypeOf(await p.images.aliases.get("bb", (a) => a.target)).toEqualTypeOf<string | undefined>();
  expectTypeOf(await p.trust.list()).toEqualTypeOf<Certificate[]>();
  expectTypeOf(await p.trust.createToken("ci", (t) => t.token)).toEqualTypeOf<string>();
  // @ts-expect-error the scoped calls take no remote
  await p.instances.get("r", "c1", {});
  // @ts-expect-error
  await p.images.delete();
  // @ts-expect-error
  await p.trust.remove("r", "fp");
}

export async function operationsStarted(deps: StartDeps) {
  // startOperation takes only what answers with an operation, and checks the init against the path.
  // @ts-expect-error PATCH of an instance answers at once (sync)
  await startOperation(deps, "r", "PATCH", "/1.0/instances/{name}", { params: { path: { name: "c1" } }, body: {} });
  // @ts-expect-error
  await startOperation(deps, "r", "PUT", "/1.0/instances/{name}/state", { params: { path: { name: "c1" } }, body: { action: 1 } });
  // @ts-expect-error the path parameter left out
  await startOperation(deps, "r", "DELETE", "/1.0/instances/{name}", { project: "p" });
  const bytes = new RawBody(new Uint8Array(), {});
  // @ts-expect-error JSON only: an upload is not a snapshot
  await startOperation(deps, "r", "POST", "/1.0/instances/{name}/snapshots", { params: { path: { name: "c1" } }, body: bytes });
  // An instance backup to import is bytes (LXD reads an octet-stream body so).
  expectTypeOf(
    await startOperation(deps, "r", "POST", "/1.0/instances", { body: new RawBody(new Uint8Array(), {}) }),
  ).toEqualTypeOf<LxdOperation>();
  expectTypeOf(
    await startOperation(deps, "r", "POST", "/1.0/certificates", { body: { token: true, name: "ci" } }),
  ).toEqualTypeOf<LxdOperation>();
  const upload = startOperation(
    deps,
    "r",
    "POST",
    "/1.0/images",
    { body: new RawBody(new Uint8Array(), {}) },
    (m): { fingerprint?: string } => (typeof m.fingerprint === "string" ? { fingerprint: m.fingerprint } : {}),
  );
  expectTypeOf(await upload).toEqualTypeOf<LxdOperation<{ fingerprint?: string }>>();
}
