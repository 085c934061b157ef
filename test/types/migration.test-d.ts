// Type tests of instance copy and move, checked by `tsc -p .`, never run: the flat form (the
// source remote first) and a connection's, a destination given as a connection's scope, the
// result, and what does not compile (an unknown mode, a missing destination).
import { expectTypeOf } from "vitest";
import type { CopyResult, Lxd, MigrationProgress } from "../../src/index.js";

declare const lxd: Lxd;

export async function copies() {
  expectTypeOf(await lxd.migration.copy("local", "c1", { remote: "cl", name: "c2" })).toEqualTypeOf<CopyResult>();
  const conn = lxd.remote("local").project("p");
  expectTypeOf(
    await conn.migration.copy("c1", { remote: lxd.remote("cl").target("m2").scope }, { mode: "relay" }),
  ).toEqualTypeOf<CopyResult>();
  expectTypeOf(await conn.migration.move("c1", { target: "m2" }, (r) => r.name)).toEqualTypeOf<string>();
  await conn.migration.copy("c1", { name: "c2" }, { onProgress: (p) => expectTypeOf(p).toEqualTypeOf<MigrationProgress>() });
  // @ts-expect-error the modes are pull, push and relay
  await conn.migration.copy("c1", { remote: "cl" }, { mode: "sideways" });
  // @ts-expect-error the destination is required
  await conn.migration.copy("c1");
}
