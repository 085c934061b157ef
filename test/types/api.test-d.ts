// Type tests of `api()` (openapi-fetch's client over the whole generated description), checked by
// `tsc -p .`, never run: every path of LXD's description and Incus's extras is typed, and a wrong
// body, a missing path parameter or an unknown path does not compile.
import { expectTypeOf } from "vitest";
import type { Core } from "../../src/request/core.js";
import type { components, paths } from "../../src/generated/lxd.js";
import type { Lxd, Watch } from "../../src/index.js";

type Schemas = components["schemas"];
declare const lxd: Lxd;
declare const core: Core;

export async function networks() {
  const api = lxd.api("local");
  const { data } = await api.GET("/1.0/networks");
  // The listing's forms (URLs, or with recursion=1 the objects), in LXD's envelope.
  expectTypeOf(data?.metadata).toEqualTypeOf<string[] | Schemas["Network"][] | undefined>();
  expectTypeOf(data?.type).toEqualTypeOf<"sync" | undefined>();
  await api.GET("/1.0/networks", { params: { query: { recursion: 1, project: "p" } } });
  const one = await api.GET("/1.0/networks/{name}", { params: { path: { name: "lxdbr0" } } });
  expectTypeOf(one.data?.metadata).toEqualTypeOf<Schemas["Network"] | undefined>();
  await api.POST("/1.0/networks", { body: { name: "n1", type: "bridge", config: { "ipv4.address": "auto" } } });
  // @ts-expect-error a network's name is a string
  await api.POST("/1.0/networks", { body: { name: 1 } });
  // @ts-expect-error config values are strings
  await api.PUT("/1.0/networks/{name}", { params: { path: { name: "n1" } }, body: { config: { mtu: 1500 } } });
  // @ts-expect-error the path parameter left out
  await api.GET("/1.0/networks/{name}");
  // @ts-expect-error a path LXD does not have
  await api.GET("/1.0/network");
  // @ts-expect-error a method the path does not have
  await api.PATCH("/1.0/networks");
  // @ts-expect-error a query parameter it does not have
  await api.GET("/1.0/networks", { params: { query: { recursive: 1 } } });
  // Incus's `filter` on a collection LXD lists whole: typed, a string.
  await api.GET("/1.0/profiles", { params: { query: { filter: "name eq p1", recursion: 1 } } });
  // @ts-expect-error a filter is a string expression
  await api.GET("/1.0/profiles", { params: { query: { filter: { name: "p1" } } } });
}

export async function storageVolumes() {
  const api = lxd.api("local");
  const path = { poolName: "default", type: "custom" };
  const { data } = await api.GET("/1.0/storage-pools/{poolName}/volumes/{type}", { params: { path } });
  expectTypeOf(data?.metadata).toEqualTypeOf<string[] | Schemas["StorageVolume"][] | undefined>();
  const made = await api.POST("/1.0/storage-pools/{poolName}/volumes/{type}", {
    params: { path },
    body: { name: "v1", type: "custom", config: { size: "1GiB" } },
  });
  // 5.0 and Incus create a volume at once; a copy answers with an operation: both are typed.
  expectTypeOf(made.data?.type).toEqualTypeOf<"sync" | "async" | undefined>();
  // @ts-expect-error the volume type left out
  await api.GET("/1.0/storage-pools/{poolName}/volumes/{type}", { params: { path: { poolName: "default" } } });
  // @ts-expect-error the pool's parameter is poolName
  await api.GET("/1.0/storage-pools/{poolName}/volumes/{type}", { params: { path: { name: "default", type: "custom" } } });
  // @ts-expect-error a volume's config values are strings
  await api.POST("/1.0/storage-pools/{poolName}/volumes/{type}", { params: { path }, body: { name: "v1", config: { size: 1 } } });
  // @ts-expect-error the body is required
  await api.POST("/1.0/storage-pools/{poolName}/volumes/{type}", { params: { path } });
}

export async function everyFamily() {
  const api = lxd.api();
  // Families the helpers do not cover yet, each typed from the description.
  const profile = await api.GET("/1.0/profiles/{name}", { params: { path: { name: "default" } } });
  expectTypeOf(profile.data?.metadata).toEqualTypeOf<Schemas["Profile"] | undefined>();
  const project = await api.GET("/1.0/projects/{name}/state", { params: { path: { name: "default" } } });
  expectTypeOf(project.data?.metadata).toEqualTypeOf<Schemas["ProjectState"] | undefined>();
  const warnings = await api.GET("/1.0/warnings", { params: { query: { recursion: 1 } } });
  expectTypeOf(warnings.data?.metadata).toEqualTypeOf<string[] | Schemas["Warning"][] | undefined>();
  // Newer than LXD 5.0 (its JSDoc says so): typed all the same.
  const identities = await api.GET("/1.0/auth/identities", { params: { query: { recursion: 1 } } });
  expectTypeOf(identities.data?.metadata).toEqualTypeOf<string[] | Schemas["Identity"][] | undefined>();
  // Incus only (its JSDoc says so, and `GET /1.0`'s environment.server tells the servers apart).
  const integrations = await api.GET("/1.0/network-integrations", { params: { query: { recursion: 1 } } });
  expectTypeOf(integrations.data?.metadata).toEqualTypeOf<string[] | Schemas["NetworkIntegration"][] | undefined>();
  await api.DELETE("/1.0/instances/{name}/logs/{filename}", { params: { path: { name: "c1", filename: "lxc.log" } } });
  // @ts-expect-error an Incus network integration's type is a string
  await api.POST("/1.0/network-integrations", { body: { name: "ovn1", type: 1 } });
}

export async function core_() {
  // The core sees the same description, with the recursion forms told apart.
  const nets = await core.send("r", "GET", "/1.0/networks", { params: { query: { recursion: 1 } } });
  if (nets.envelope.type === "sync") expectTypeOf(nets.envelope.metadata).toEqualTypeOf<Schemas["Network"][]>();
  const names = await core.send("r", "GET", "/1.0/storage-pools/{poolName}/volumes/{type}", {
    params: { path: { poolName: "default", type: "custom" } },
  });
  if (names.envelope.type === "sync") expectTypeOf(names.envelope.metadata).toEqualTypeOf<string[]>();
  // @ts-expect-error the volume type left out
  await core.send("r", "GET", "/1.0/storage-pools/{poolName}/volumes/{type}", { params: { path: { poolName: "default" } } });
}

// The description holds every path: LXD's and Incus's extras, spelled as the servers do.
expectTypeOf<"/1.0/networks/{networkName}/forwards/{listenAddress}">().toMatchTypeOf<keyof paths>();
expectTypeOf<"/1.0/storage-pools/{poolName}/buckets/{bucketName}/backups">().toMatchTypeOf<keyof paths>();

export async function connections() {
  // A connection's api() is the same typed client, in its scope.
  const api = lxd.remote("local").project("p").target("m2").api();
  const { data } = await api.GET("/1.0/networks/{name}", { params: { path: { name: "br0" } } });
  expectTypeOf(data?.metadata).toEqualTypeOf<Schemas["Network"] | undefined>();
  // @ts-expect-error a connection's api() takes no remote
  lxd.remote("local").api("other");
}

export async function families() {
  const conn = lxd.remote("local").project("p");
  // Profiles and projects: typed from their two paths by the collection helper.
  expectTypeOf(await conn.profiles.list()).toEqualTypeOf<string[]>();
  expectTypeOf(await conn.profiles.list({ recursion: true })).toEqualTypeOf<Schemas["Profile"][]>();
  expectTypeOf(await conn.profiles.get("default")).toEqualTypeOf<Schemas["Profile"]>();
  expectTypeOf(await lxd.profiles.get("local", "default", (p) => p.name)).toEqualTypeOf<string | undefined>();
  await conn.profiles.create({ name: "web", config: { "limits.cpu": "2" }, devices: {} });
  await conn.projects.patch("p", { config: { "features.images": "false" } });
  expectTypeOf(await conn.projects.state("p")).toEqualTypeOf<Schemas["ProjectState"]>();
  // @ts-expect-error a profile's config values are strings
  await conn.profiles.create({ name: "web", config: { "limits.cpu": 2 } });
  // @ts-expect-error get takes the profile's name
  await conn.profiles.get();
  // @ts-expect-error the flat form takes the remote first
  await lxd.profiles.get("default");
}

export function watches() {
  // watch() gives the objects of the list's recursion=1, on a connection and in the flat form.
  expectTypeOf(lxd.remote("local").instances.watch()).toEqualTypeOf<Watch<Schemas["Instance"]>>();
  expectTypeOf(lxd.profiles.watch("local", { project: "p" })).toEqualTypeOf<Watch<Schemas["Profile"]>>();
  expectTypeOf(lxd.remote("local").projects.watch({ signal: AbortSignal.timeout(1000) })).toEqualTypeOf<Watch<Schemas["Project"]>>();
  // @ts-expect-error watch options have no recursion: it is always the objects
  lxd.remote("local").profiles.watch({ recursion: false });
}
