#!/usr/bin/env node
// Derives the OpenAPI 3 fragment of LXD's API that lxd-fetch uses, and its TypeScript types.
//
//   npm run generate            writes openapi/lxd-fragment.json and src/generated/lxd.ts
//   npm run generate -- --check exits 1 when either file differs from what would be written
//
// Input: openapi/rest-api-5.0.yaml, LXD's own Swagger 2.0 description, unchanged.
import { readFile, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import openapiTS, { astToString } from "openapi-typescript";

/** The paths the library uses. Widening the fragment is one line here. */
export const PATHS = [
  "/1.0",
  "/1.0/certificates",
  "/1.0/certificates/{fingerprint}",
  "/1.0/cluster/members",
  "/1.0/cluster/members/{name}",
  "/1.0/events",
  "/1.0/images",
  "/1.0/images/aliases",
  "/1.0/images/aliases/{name}",
  "/1.0/images/{fingerprint}",
  "/1.0/images/{fingerprint}/export",
  "/1.0/instances",
  "/1.0/instances/{name}",
  "/1.0/instances/{name}/console",
  "/1.0/instances/{name}/exec",
  "/1.0/instances/{name}/files",
  "/1.0/instances/{name}/snapshots",
  "/1.0/instances/{name}/snapshots/{snapshot}",
  "/1.0/instances/{name}/state",
  "/1.0/operations",
  "/1.0/operations/{id}",
  "/1.0/operations/{id}/wait",
  "/1.0/operations/{id}/websocket",
];

const root = fileURLToPath(new URL("..", import.meta.url));
const SOURCE = "openapi/rest-api-5.0.yaml";
const FRAGMENT = "openapi/lxd-fragment.json";
const TYPES = "src/generated/lxd.ts";
const HTTP_METHODS = ["get", "put", "post", "delete", "options", "head", "patch", "trace"];

/**
 * LXD documents a second behaviour of a URL under a key with a query string
 * (`/1.0/operations?recursion=1`, `/1.0/operations/{id}/wait?public`). As path keys those break
 * openapi-fetch (it would build `?recursion=1?project=x`) and OAS validators. Fold each variant
 * into its base path instead: its query parameters join the base operation's, and `recursion=N`
 * becomes an optional `recursion` query parameter, and the variant's metadata joins the base's
 * as one more member of a `oneOf` (so the URL form and each recursion form are all typed).
 */
function foldQueryVariants(paths) {
  for (const key of Object.keys(paths)) {
    const q = key.indexOf("?");
    if (q < 0) continue;
    const base = paths[key.slice(0, q)];
    const [name, value] = key.slice(q + 1).split("=");
    for (const method of HTTP_METHODS) {
      const variant = paths[key][method];
      const target = base?.[method];
      if (!variant || !target) continue;
      const params = (target.parameters ??= []);
      const have = new Set(params.map((p) => `${p.in}:${p.name}`));
      for (const p of variant.parameters ?? []) {
        if (!p.$ref && !have.has(`${p.in}:${p.name}`)) params.push(p);
      }
      if (name === "recursion") {
        let rec = params.find((p) => p.in === "query" && p.name === "recursion");
        if (!rec) {
          rec = { name: "recursion", in: "query", required: false, description: "Recursion level", schema: { type: "integer", enum: [0] } };
          params.push(rec);
        }
        rec.schema.enum = [...new Set([...rec.schema.enum, Number(value)])].sort((x, y) => x - y);
        joinRecursionForm(target, variant);
      }
    }
    delete paths[key];
  }
}

// Recursion forms whose metadata the spec names wrongly (lxd-5.0.2 source). lxd/instance_get.go:
// `recursion=1` answers `RenderFull()`, an InstanceFull (its own description says state,
// snapshots and backups), where the schema says Instance.
const RECURSION_SCHEMA = { instance_get_recursion1: "InstanceFull" };

const metadataOf = (op) => op?.responses?.["200"]?.content?.["application/json"]?.schema?.properties?.metadata;
const isMap = (schema) => schema?.type === "object" && typeof schema.additionalProperties === "object";

/**
 * Adds a recursion variant's metadata to the base operation's as a `oneOf` member. Where the URL
 * form is a map of lists (operations, grouped by status), LXD keeps the map at every recursion
 * level although the spec says a plain list: the variant's list becomes the map's values.
 */
function joinRecursionForm(target, variant) {
  const base = metadataOf(target);
  const schema = RECURSION_SCHEMA[variant.operationId];
  let form = schema ? { $ref: `#/components/schemas/${schema}` } : metadataOf(variant);
  if (!base || !form) return;
  if (isMap(base) && form.type === "array") form = { ...base, additionalProperties: form, description: form.description };
  const forms = base.oneOf ?? [{ ...base }];
  for (const k of Object.keys(base)) delete base[k];
  base.oneOf = [...forms, form];
}

/** LXD declares no `in: path` parameters; declare every `{x}` of the key at path level. */
function declarePathParams(path, item) {
  const names = [...path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]);
  if (names.length === 0) return;
  const declared = new Set((item.parameters ?? []).filter((p) => p.in === "path").map((p) => p.name));
  const missing = names.filter((n) => !declared.has(n));
  if (missing.length === 0) return;
  item.parameters = [
    ...(item.parameters ?? []),
    ...missing.map((name) => ({ name, in: "path", required: true, schema: { type: "string" } })),
  ];
}

// Keys LXD always sends (no `omitempty` in LXD's shared/api, lxd-5.0.2) that the spec leaves optional;
// applied to the schema wherever it is used. Request bodies: the keys LXD refuses to do without.
const REQUIRED = {
  Operation: "*",
  Event: ["type", "timestamp", "metadata"],
  InstanceExecPost: ["command"],
};

// LXD's shared/api/status_code.go and the operation classes (`durable`: LXD 6.x): the spec says integer and string.
const ENUMS = {
  StatusCode: [100, 101, 102, 103, 104, 105, 106, 107, 108, 109, 110, 111, 112, 113, 200, 400, 401],
  "Operation.class": ["task", "websocket", "token", "durable"],
};
// Fields LXD sends as null when empty (Go nil maps).
// InstanceFull (LXD's shared/api/instance.go): nil slices and a nil state pointer.
const NULLABLE = { Operation: ["metadata", "resources"], InstanceFull: ["backups", "snapshots", "state"] };

// Requests LXD answers with an operation (HTTP 202) where the spec gives only a sync answer
// (lxd-5.0.2 source): the operation is added beside the documented answer, which stays.
const ASYNC_TOO = {
  // lxd/certificates.go certificatesPost: `token: true` creates an operation of class `token`.
  certificates_post: "#/components/responses/Operation",
};

// Request bodies LXD also takes as other media (lxd-5.0.2 source): lxd/images.go imagesPost
// reads any body that is not JSON as an upload, getImgPostInfo a multipart/form-data one as a
// split image (`metadata`, then `rootfs` or `rootfs.img`) and anything else as one tarball.
const BINARY = { type: "string", format: "binary" };
const OTHER_MEDIA = {
  images_post: {
    "application/octet-stream": { schema: BINARY },
    "multipart/form-data": { schema: { type: "object", properties: { metadata: BINARY, rootfs: BINARY, "rootfs.img": BINARY } } },
  },
};

function repairRequestMedia(paths) {
  for (const item of Object.values(paths))
    for (const method of HTTP_METHODS) {
      const op = item[method];
      const media = OTHER_MEDIA[op?.operationId];
      if (media) op.requestBody.content = { ...op.requestBody.content, ...media };
    }
}

function repairAsyncAnswers(paths) {
  for (const item of Object.values(paths))
    for (const method of HTTP_METHODS) {
      const op = item[method];
      const ref = ASYNC_TOO[op?.operationId];
      if (ref) op.responses["202"] ??= { $ref: ref };
    }
}

/** OAS 3.0 ignores `nullable` beside a `$ref`: a reference is wrapped in a one-member `oneOf`. */
function nullable(schema) {
  const { $ref, ...rest } = schema;
  return $ref ? { ...rest, oneOf: [{ $ref }], nullable: true } : { ...schema, nullable: true };
}

function repairSchemas(schemas) {
  for (const [name, keys] of Object.entries(REQUIRED)) {
    const schema = schemas[name];
    if (schema) schema.required = keys === "*" ? Object.keys(schema.properties).sort() : keys;
  }
  for (const [where, values] of Object.entries(ENUMS)) {
    const [name, field] = where.split(".");
    const schema = field ? schemas[name]?.properties[field] : schemas[name];
    if (schema) schema.enum = values;
  }
  for (const [name, fields] of Object.entries(NULLABLE))
    for (const f of fields) if (schemas[name]) schemas[name].properties[f] = nullable(schemas[name].properties[f]);
}

// LXD's shared/api/response.go: every envelope carries all seven keys (no `omitempty`).
const ENVELOPE = {
  type: { type: "string" },
  status: { type: "string" },
  status_code: { type: "integer" },
  operation: { type: "string" },
  error_code: { type: "integer" },
  error: { type: "string" },
  metadata: {},
};

/**
 * LXD answers JSON everywhere, though go-swagger writes "*\/*" for shared responses; and a
 * response body whose `type` example is sync, async or error is LXD's envelope: all seven keys,
 * `type` the literal, so the sync, async and error forms discriminate in TypeScript as at run time.
 */
function repairResponse(response) {
  const content = response.content;
  if (!content) return;
  if (content["*/*"]) {
    content["application/json"] ??= content["*/*"];
    delete content["*/*"];
  }
  const schema = content["application/json"]?.schema;
  const kind = schema?.properties?.type?.example;
  if (!["sync", "async", "error"].includes(kind)) return;
  schema.properties = { ...ENVELOPE, ...schema.properties, type: { ...schema.properties.type, enum: [kind] } };
  schema.required = Object.keys(ENVELOPE);
}

function repairResponses(paths, components) {
  for (const response of Object.values(components.responses ?? {})) repairResponse(response);
  for (const item of Object.values(paths))
    for (const method of HTTP_METHODS) for (const response of Object.values(item[method]?.responses ?? {})) repairResponse(response);
}

/** Every `#/components/<kind>/<name>` reachable from `start`, transitively. */
function reachableComponents(doc, start) {
  const seen = new Set();
  const queue = [start];
  while (queue.length > 0) {
    const node = queue.pop();
    if (Array.isArray(node)) queue.push(...node);
    else if (node && typeof node === "object") {
      for (const [k, v] of Object.entries(node)) {
        if (k === "$ref" && typeof v === "string" && v.startsWith("#/components/") && !seen.has(v)) {
          seen.add(v);
          const [, , kind, name] = v.split("/");
          queue.push(doc.components[kind][name]);
        } else queue.push(v);
      }
    }
  }
  return seen;
}

export async function buildFragment() {
  const require = createRequire(import.meta.url);
  const s2o = require("swagger2openapi");
  const text = await readFile(`${root}/${SOURCE}`, "utf8");
  const { openapi: full } = await s2o.convertStr(text, { patch: true, warnOnly: true });

  foldQueryVariants(full.paths);
  const paths = {};
  for (const p of PATHS) {
    if (!full.paths[p]) throw new Error(`generate: ${p} is not in ${SOURCE}`);
    declarePathParams(p, full.paths[p]);
    paths[p] = full.paths[p];
  }
  repairAsyncAnswers(paths);
  repairRequestMedia(paths);
  const components = {};
  for (const ref of [...reachableComponents(full, paths)].sort()) {
    const [, , kind, name] = ref.split("/");
    (components[kind] ??= {})[name] = full.components[kind][name];
  }
  repairSchemas(components.schemas ?? {});
  repairResponses(paths, components);
  for (const kind of Object.keys(components)) {
    components[kind] = Object.fromEntries(Object.entries(components[kind]).sort(([a], [b]) => a.localeCompare(b)));
  }
  return {
    openapi: full.openapi,
    info: { ...full.info, description: `Fragment of ${SOURCE} (LXD's own API description) derived by scripts/generate.mjs.` },
    paths,
    components: Object.fromEntries(Object.entries(components).sort(([a], [b]) => a.localeCompare(b))),
  };
}

export async function buildTypes(fragment) {
  const ast = await openapiTS(fragment, { emptyObjectsUnknown: true, alphabetize: false });
  return (
    "// Generated by scripts/generate.mjs from openapi/lxd-fragment.json. Do not edit by hand:\n" +
    "// change the script or the path list, then run `npm run generate`.\n\n" +
    astToString(ast)
  );
}

async function main() {
  const check = process.argv.includes("--check");
  const fragment = await buildFragment();
  const outputs = {
    [FRAGMENT]: `${JSON.stringify(fragment, null, 2)}\n`,
    [TYPES]: await buildTypes(fragment),
  };
  const stale = [];
  for (const [file, content] of Object.entries(outputs)) {
    const current = await readFile(`${root}/${file}`, "utf8").catch(() => null);
    if (current === content) continue;
    if (check) stale.push(file);
    else await writeFile(`${root}/${file}`, content);
  }
  if (stale.length > 0) {
    console.error(`generate --check: stale: ${stale.join(", ")}; run \`npm run generate\``);
    process.exit(1);
  }
  console.log(check ? "generate --check: up to date" : `generate: ${Object.keys(outputs).join(", ")}`);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) await main();
