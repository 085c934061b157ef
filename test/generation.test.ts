// The generated types come from LXD's own description, deterministically, and are up to date.
import { execFile } from "node:child_process";
import { readFile } from "node:fs/promises";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
// @ts-expect-error: a plain .mjs script without declarations
import { buildFragment, buildTypes, census, EXCLUDED } from "../scripts/generate.mjs";
import { parse } from "yaml";

const run = promisify(execFile);
const METHODS = ["get", "put", "post", "delete", "options", "head", "patch", "trace"];

/** A description's path keys, without the `?query` keys that document a second behaviour. */
async function pathsOf(file: string): Promise<string[]> {
  const doc = parse(await readFile(file, "utf8")) as { paths: Record<string, unknown> };
  return Object.keys(doc.paths).filter((p) => !p.includes("?"));
}
const shape = (p: string) => p.replace(/\{[^}]+\}/g, "{}");
// One build for the tests that read it (a build converts three descriptions: seconds).
let built: ReturnType<typeof buildFragment> | undefined;
const fragmentOnce = () => (built ??= buildFragment());

type Param = { in: string; name: string; description?: string; required?: boolean };
type Op = {
  operationId?: string;
  description?: string;
  parameters?: Param[];
  responses: Record<string, unknown>;
  requestBody?: { content: object };
};

// The generator runs several times here; on a loaded 2-core machine one --check took 30.6 s, so
// the limit only guards against a hang.
describe("generation", { timeout: 120_000 }, () => {
  it("two runs give byte-identical output", async () => {
    const [a, b] = [await buildFragment(), await buildFragment()];
    expect(JSON.stringify(a)).toBe(JSON.stringify(b));
    expect(await buildTypes(a)).toBe(await buildTypes(b));
  });

  it("the committed fragment and types are what the generator writes (--check)", async () => {
    const { stdout } = await run(process.execPath, ["scripts/generate.mjs", "--check"]);
    expect(stdout).toContain("up to date");
    const fragment = await fragmentOnce();
    expect(await readFile("openapi/lxd-fragment.json", "utf8")).toBe(`${JSON.stringify(fragment, null, 2)}\n`);
  });

  it("holds every path of LXD's description but the excluded ones, and Incus's extras, none with a query string", async () => {
    const fragment = await fragmentOnce();
    const keys = Object.keys(fragment.paths);
    expect(fragment.openapi).toMatch(/^3\./);
    expect(keys.filter((p) => p.includes("?"))).toEqual([]);
    const lxd = await pathsOf("openapi/rest-api-main.yaml");
    // The exclusion list is exactly what is left out, each with its reason.
    expect(lxd.filter((p) => !keys.includes(p)).sort()).toEqual(Object.keys(EXCLUDED).sort());
    for (const reason of Object.values(EXCLUDED)) expect(reason).toMatch(/\w{3,}.*\w{3,}/);
    expect([...census.excluded].sort()).toEqual(Object.keys(EXCLUDED).sort());
    const kept = lxd.filter((p) => keys.includes(p));
    expect(kept).toEqual([...census.lxd].sort((a, b) => lxd.indexOf(a) - lxd.indexOf(b)));
    expect(kept.length).toBeGreaterThanOrEqual(100);
    // Incus's extras: its URLs LXD has under no key, under Incus's own key.
    const incus = await pathsOf("openapi/incus-rest-api-6.0.4.yaml");
    const lxdShapes = new Set(lxd.map(shape));
    const extras = incus.filter((p) => !lxdShapes.has(shape(p)));
    expect(extras.length).toBeGreaterThan(0);
    expect([...census.incus].sort()).toEqual([...extras].sort());
    expect(keys.sort()).toEqual([...kept, ...extras].sort());
  });

  it("merges a URL LXD describes under two keys into the key its family uses", async () => {
    const fragment = await fragmentOnce();
    const bucket = fragment.paths["/1.0/storage-pools/{poolName}/buckets/{bucketName}"];
    expect(METHODS.filter((m) => bucket[m])).toEqual(["get", "put", "delete", "patch"]);
    expect(fragment.paths["/1.0/storage-pools/{name}/buckets/{bucketName}"]).toBeUndefined();
    const shapes = Object.keys(fragment.paths).map(shape);
    expect(new Set(shapes).size).toBe(shapes.length);
  });

  it("marks what only Incus has, and what LXD 5.0 lacks, in the JSDoc of the types", async () => {
    const fragment = await fragmentOnce();
    const ops = (p: string): Op[] => METHODS.map((m) => fragment.paths[p][m]).filter(Boolean);
    for (const p of census.incus) for (const op of ops(p)) expect(op.description, p).toMatch(/^Incus only/);
    expect(fragment.paths["/1.0/instances/{name}/logs/{filename}"].delete.description).toMatch(/^Incus only/);
    expect(fragment.paths["/1.0/instances/{name}/logs/{filename}"].get.description).not.toMatch(/Incus only|Not in LXD 5\.0/);
    const old = new Set((await pathsOf("openapi/rest-api-5.0.yaml")).map(shape));
    for (const p of census.lxd.filter((x: string) => !old.has(shape(x))))
      for (const op of ops(p)) expect(op.description, p).toMatch(/^Not in LXD 5\.0/);
    for (const p of ["/1.0/instances", "/1.0/operations/{id}"])
      for (const op of ops(p)) expect(op.description ?? "").not.toMatch(/Not in LXD 5\.0/);
    const types = await readFile("src/generated/lxd.ts", "utf8");
    expect(types).toContain("@description Incus only: in Incus 6.0's description");
  });

  it("adds the query parameters only Incus gives on a method both describe, each marked", async () => {
    const fragment = await fragmentOnce();
    const incus = parse(await readFile("openapi/incus-rest-api-6.0.4.yaml", "utf8")) as { paths: Record<string, Record<string, Op>> };
    const query = (op: Op | undefined) => new Map((op?.parameters ?? []).filter((p) => p.in === "query").map((p) => [p.name, p]));
    // Every one Incus's description gives on /1.0/profiles is now on the merged method.
    const ours = query(fragment.paths["/1.0/profiles"].get);
    for (const name of query(incus.paths["/1.0/profiles"]?.get).keys()) expect(ours.has(name), name).toBe(true);
    expect(ours.get("filter")?.description).toMatch(/^Incus only/);
    expect(census.incusParams).toContain("GET /1.0/profiles filter");
    for (const added of census.incusParams) {
      const [method = "", path = "", name = ""] = added.split(" ");
      const param = query(fragment.paths[path][method.toLowerCase()]).get(name);
      expect(param?.description, added).toMatch(/^Incus only/);
      expect(param?.required, added).toBe(false);
    }
    // LXD's own parameters are untouched: `filter` on instances is LXD's (api_filtering).
    expect(query(fragment.paths["/1.0/instances"].get).get("filter")?.description ?? "").not.toMatch(/Incus only/);
  });

  it("gives every operation its own id (openapi-typescript keys them by id)", async () => {
    const fragment = await fragmentOnce();
    const ids = Object.values(fragment.paths).flatMap((item) =>
      METHODS.map((m) => (item as Record<string, Op>)[m]?.operationId).filter(Boolean),
    );
    expect(new Set(ids).size).toBe(ids.length);
    expect(fragment.paths["/1.0/storage-volumes/{type}"].get.operationId).toBe("storage_volumes_type_get");
    expect(fragment.paths["/1.0/storage-pools/{poolName}/volumes/{type}"].get.operationId).toBe("storage_pool_volumes_type_get");
  });

  it("keeps both answers where LXD 5.0 or Incus answer at once and newer LXD with an operation", async () => {
    const fragment = await fragmentOnce();
    const patch = fragment.paths["/1.0/profiles/{name}"].patch;
    expect(Object.keys(patch.responses).filter((c) => c.startsWith("2"))).toEqual(["200", "202"]);
    expect(patch.responses["200"]).toEqual({ $ref: "#/components/responses/EmptySyncResponse" });
    expect(patch.description).toMatch(/^Also answers 200 \(LXD 5\.0, Incus\)/);
    // Incus's storage bucket creation answers the admin key at once.
    const bucket = fragment.paths["/1.0/storage-pools/{poolName}/buckets"].post.responses["200"];
    expect(bucket.content["application/json"].schema.properties.metadata).toEqual({ $ref: "#/components/schemas/StorageBucketKey" });
    expect(bucket.content["application/json"].schema.properties.type.enum).toEqual(["sync"]);
    // A read that answers the same everywhere is left alone.
    expect(Object.keys(fragment.paths["/1.0/profiles/{name}"].get.responses)).not.toContain("202");
  });

  it("types go-swagger's `bool` as boolean", async () => {
    const fragment = await fragmentOnce();
    const all = fragment.paths["/1.0/storage-volumes"].get.parameters.find((p: { name: string }) => p.name === "all-projects");
    expect(all.schema).toEqual({ type: "boolean" });
    expect(JSON.stringify(fragment)).not.toContain('"type":"bool"');
  });

  it("folds `?recursion=1` and `?public` variants into query parameters of the base path", async () => {
    const fragment = await fragmentOnce();
    const query = (path: string) =>
      fragment.paths[path].get.parameters
        .filter((x: { in: string }) => x.in === "query")
        .map((x: { name: string; schema: unknown }) => [x.name, x.schema]);
    expect(query("/1.0/operations")).toContainEqual(["recursion", { type: "integer", enum: [0, 1] }]);
    expect(query("/1.0/instances")).toContainEqual(["recursion", { type: "integer", enum: [0, 1, 2] }]);
    expect(query("/1.0/operations/{id}/wait").map((q: unknown[]) => q[0])).toEqual(["timeout", "secret"]);
  });

  it("adds the operation LXD answers where the spec gives only sync (a certificate token), keeping the sync answer", async () => {
    const fragment = await fragmentOnce();
    const responses = fragment.paths["/1.0/certificates"].post.responses;
    expect(responses["202"]).toEqual({ $ref: "#/components/responses/Operation" });
    expect(responses["200"]).toEqual({ $ref: "#/components/responses/EmptySyncResponse" });
    expect(fragment.paths["/1.0/certificates"].get.responses["202"]).toBeUndefined();
  });

  it("an image upload may be a tarball or multipart besides LXD's JSON source", async () => {
    const fragment = await fragmentOnce();
    expect(Object.keys(fragment.paths["/1.0/images"].post.requestBody.content)).toEqual([
      "application/json",
      "application/octet-stream",
      "multipart/form-data",
    ]);
  });

  it("a body listed under another medium beside JSON is bytes, and a definition alone under one is JSON", async () => {
    const fragment = await fragmentOnce();
    // An instance backup to import, beside the JSON source.
    expect(fragment.paths["/1.0/instances"].post.requestBody.content).toEqual({
      "application/json": { schema: { $ref: "#/components/schemas/InstancesPost" } },
      "application/octet-stream": { schema: { type: "string", format: "binary" } },
    });
    // Instance rebuild: LXD decodes JSON though its description says octet-stream.
    expect(Object.keys(fragment.paths["/1.0/instances/{name}/rebuild"].post.requestBody.content)).toEqual(["application/json"]);
    expect(Object.keys(fragment.paths["/1.0/instances/{name}/exec"].post.requestBody.content)).toEqual(["application/json"]);
  });

  it("one instance with recursion=1 is an InstanceFull, whose nil slices and state may be null", async () => {
    const fragment = await fragmentOnce();
    const metadata = fragment.paths["/1.0/instances/{name}"].get.responses["200"].content["application/json"].schema.properties.metadata;
    expect(metadata.oneOf).toEqual([{ $ref: "#/components/schemas/Instance" }, { $ref: "#/components/schemas/InstanceFull" }]);
    const full = fragment.components.schemas.InstanceFull.properties;
    for (const key of ["backups", "snapshots", "state"]) expect(full[key].nullable, key).toBe(true);
    expect(full.state.oneOf).toEqual([{ $ref: "#/components/schemas/InstanceState" }]);
  });

  it("keeps only the definitions the paths reach, Incus's beside LXD's", async () => {
    const fragment = await fragmentOnce();
    const schemas = Object.keys(fragment.components.schemas);
    expect(schemas).toContain("Operation");
    expect(schemas).toContain("InstanceExecPost");
    expect(schemas).toContain("StoragePool");
    expect(schemas).toContain("NetworkIntegration");
    // Incus's Operation and StatusCode hold nothing LXD's lack: one definition types both.
    expect(schemas.filter((name) => name.startsWith("Incus"))).toEqual([]);
    expect(Object.keys(fragment.components.schemas.Operation.properties)).toContain("child_count");
    // Defined by LXD, used by no path of its description.
    expect(schemas).not.toContain("InitPreseed");
    // Every key LXD 5.0 always sends stays required; newer servers' additions stay optional.
    expect(fragment.components.schemas.Operation.required).not.toContain("requestor");
    expect(fragment.components.schemas.Operation.required).toContain("status_code");
    const text = JSON.stringify(fragment);
    for (const [, kind, name] of text.matchAll(/"#\/components\/(\w+)\/(\w+)"/g)) {
      expect(fragment.components[kind!]?.[name!], `${kind}/${name}`).toBeDefined();
    }
  });

  it("the types file says it is generated", async () => {
    const types = await readFile("src/generated/lxd.ts", "utf8");
    expect(types.split("\n")[0]).toMatch(/^\/\/ Generated by scripts\/generate\.mjs/);
    expect(types).toContain('"/1.0/operations/{id}/wait"');
  });
});
