// Type tests, checked by `tsc -p .` (part of `npm test`), never run: each `@ts-expect-error`
// fails the check if its line compiles, so a wrong method, path, path parameter, query or body
// must not compile; `expectTypeOf` proves the results carry the spec's types.
import { expectTypeOf } from "vitest";
import type { Core, SyncMetadata } from "../../src/core.js";
import type { components } from "../../src/generated/lxd.js";
import type { InstanceState, Lxd, Operation, OperationMap } from "../../src/index.js";

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
