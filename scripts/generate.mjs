#!/usr/bin/env node
// Derives the OpenAPI 3 fragment of LXD's API that lxd-fetch uses, and its TypeScript types.
//
//   npm run generate            writes openapi/lxd-fragment.json and src/generated/lxd.ts
//   npm run generate -- --check exits 1 when either file differs from what would be written
//
// Inputs (openapi/README.md), Swagger 2.0 descriptions, unchanged: LXD's (every path of it is
// kept, but for EXCLUDED), LXD 5.0's (to mark what a 5.0 server lacks) and Incus 6.0's (the paths
// and methods it has beyond LXD's are added, marked Incus only).
import { readFile, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import openapiTS, { astToString } from "openapi-typescript";

/**
 * Keys of LXD's description left out of the fragment, each with its reason; every other path is
 * kept (`?recursion=1`-style keys are not paths: foldQueryVariants folds them into their base).
 * The generator fails when the list and what it leaves out disagree.
 */
export const EXCLUDED = {
  "/1.0/placement-groups": "LXD's description refers to PlacementGroup and PlacementGroupsPost without defining them",
  "/1.0/placement-groups/{name}": "LXD's description refers to PlacementGroup and PlacementGroupPut without defining them",
  "/1.0/storage-pools/{name}/buckets/{bucketName}":
    "the URL of /1.0/storage-pools/{poolName}/buckets/{bucketName} under another parameter name (go-swagger comments disagree); its methods are merged there",
  "/1.0/storage-pools/{name}/buckets/{bucketName}/keys/{keyName}":
    "the URL of /1.0/storage-pools/{poolName}/buckets/{bucketName}/keys/{keyName} under another parameter name; its methods are merged there",
};

const root = fileURLToPath(new URL("..", import.meta.url));
/** LXD's description: every path of it is typed. */
const SOURCE = "openapi/rest-api-main.yaml";
/** LXD 5.0's: only to mark what a 5.0 server lacks. */
const SOURCE_50 = "openapi/rest-api-5.0.yaml";
/** Incus's: the paths and methods it has beyond LXD's are added, marked Incus only. */
const SOURCE_INCUS = "openapi/incus-rest-api-6.0.4.yaml";
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
    if (!base) throw new Error(`generate: ${key} documents a URL whose base path is not described`);
    const [name, value] = key.slice(q + 1).split("=");
    for (const method of HTTP_METHODS) {
      const variant = paths[key][method];
      const target = base?.[method];
      if (!variant || !target) continue;
      const params = (target.parameters ??= []);
      const have = new Set(params.map((p) => `${p.in}:${p.name}`));
      for (const p of variant.parameters ?? []) {
        if (!p.$ref && !have.has(`${p.in}:${p.name}`) && !isRecursion(p)) params.push(p);
      }
      if (name === "recursion") {
        let rec = params.find(isRecursion);
        // Newer LXD declares a string (`2;fields=state.disk`, selective recursion): the levels
        // the keys document are typed; a selective form needs a cast.
        if (!rec?.schema.enum) {
          if (rec) params.splice(params.indexOf(rec), 1);
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

const isRecursion = (p) => p.in === "query" && p.name === "recursion";

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
// Operation: the keys of 5.0's; newer servers add requestor, err_code and child_count.
const REQUIRED = {
  Operation: [
    "class",
    "created_at",
    "description",
    "err",
    "id",
    "location",
    "may_cancel",
    "metadata",
    "resources",
    "status",
    "status_code",
    "updated_at",
  ],
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

/**
 * go-swagger lists a handler's `consumes` for its one body schema, and swagger2openapi gives every
 * medium that schema. A definition is JSON: under another medium only, it is JSON mislabelled
 * (instance rebuild, lxd/instance_rebuild.go decodes JSON); beside JSON, the other medium carries
 * bytes (an instance or volume backup to import, lxd/instances_post.go createFromBackup).
 */
function repairBodyMedia(paths, requestBodies = {}) {
  const bodies = new Set();
  for (const item of Object.values(paths))
    for (const method of HTTP_METHODS) {
      const body = item[method]?.requestBody;
      if (body) bodies.add(body.$ref ? requestBodies[body.$ref.split("/").pop()] : body);
    }
  for (const body of bodies) {
    const json = body.content["application/json"];
    const others = Object.entries(body.content).filter(([media]) => media !== "application/json");
    const labelled = others.find(([, m]) => m.schema?.$ref);
    if (!labelled) continue;
    body.content = json
      ? { "application/json": json, ...Object.fromEntries(others.map(([media, m]) => [media, m.schema?.$ref ? { schema: BINARY } : m])) }
      : { "application/json": labelled[1], ...Object.fromEntries(others.filter(([, m]) => !m.schema?.$ref)) };
  }
  for (const item of Object.values(paths))
    for (const method of HTTP_METHODS) {
      const op = item[method];
      const media = OTHER_MEDIA[op?.operationId];
      if (media) op.requestBody.content = { ...op.requestBody.content, ...media };
    }
}

/**
 * Another description's answer, as LXD's components give it: a shared response by name, or (where
 * Incus's description names a definition as the answer, lxd/storage_buckets.go's admin key) the
 * sync envelope with that definition as metadata.
 */
function otherAnswer(answer, components, where) {
  const [kind, name] = answer.$ref?.split("/").slice(-2) ?? [];
  if (kind === "responses" && components.responses[name]) return { $ref: `#/components/responses/${name}` };
  if ((kind === "definitions" || kind === "schemas") && components.schemas[name]) {
    const metadata = { $ref: `#/components/schemas/${name}` };
    const schema = { type: "object", properties: { type: { type: "string", example: "sync" }, metadata } };
    return { description: "Sync response", content: { "application/json": { schema } } };
  }
  throw new Error(`generate: ${where()} is not defined in LXD's description`);
}

/**
 * Where LXD 5.0's or Incus's description gives a success answer LXD's lacks for the same method
 * and URL, it joins LXD's: newer LXD answers most network, profile and storage writes with an
 * operation (202) where 5.0 and Incus answer at once (200), and a client meets both.
 */
function joinOtherAnswers(paths, others, components) {
  for (const [key, item] of Object.entries(paths))
    for (const m of HTTP_METHODS) {
      const op = item[m];
      if (!op) continue;
      const own = new Set(Object.keys(op.responses));
      const joined = new Map();
      for (const { name, byShape } of others) {
        for (const [code, answer] of Object.entries(byShape.get(shapeOf(key))?.[m]?.responses ?? {})) {
          if (!/^2/.test(code) || own.has(code)) continue;
          op.responses[code] ??= otherAnswer(answer, components, () => `${m} ${key}: ${name}'s ${code}`);
          joined.set(code, [...(joined.get(code) ?? []), name]);
        }
      }
      if (joined.size > 0) {
        op.responses = Object.fromEntries(Object.entries(op.responses).sort(([a], [b]) => byCodeUnits(a, b)));
        const said = [...joined].map(([code, names]) => `${code} (${names.join(", ")})`).join(", ");
        annotate(op, `Also answers ${said}, which LXD's description does not give here: each answer is typed.`);
      }
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
    if (schema) schema.required = keys;
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
          queue.push(doc.components[kind]?.[name]);
        } else queue.push(v);
      }
    }
  }
  return seen;
}

/** A path's URL template with its parameter names left out: two keys of one shape are one URL. */
const shapeOf = (path) => path.replace(/\{[^}]+\}/g, "{}");

/**
 * go-swagger names a parameter as each handler's comment does, so a URL may be described under
 * two keys (`{name}` and `{poolName}`). They are one path: the methods of the key whose enclosing
 * paths are described (its family's naming) absorb the other's. Only keys listed in EXCLUDED may
 * go, so a new duplicate fails the generator until it is looked at.
 */
function mergeDuplicateKeys(paths, source) {
  const byShape = new Map();
  for (const key of Object.keys(paths)) byShape.set(shapeOf(key), [...(byShape.get(shapeOf(key)) ?? []), key]);
  const described = (key) => key.split("/").filter((_, i, segs) => paths[segs.slice(0, i + 1).join("/")]).length;
  const merged = [];
  for (const keys of byShape.values()) {
    if (keys.length < 2) continue;
    const [keep, ...others] = [...keys].sort((a, b) => described(b) - described(a));
    if (described(keep) === described(others[0]))
      throw new Error(`generate: ${keys.join(" and ")} in ${source}: which name is the family's?`);
    for (const key of others) {
      if (!(key in EXCLUDED)) throw new Error(`generate: ${key} in ${source} is ${keep} under other names; list it in EXCLUDED`);
      for (const method of HTTP_METHODS) {
        if (!paths[key][method]) continue;
        if (paths[keep][method]) throw new Error(`generate: ${method} ${key} and ${keep} in ${source} both describe it`);
        paths[keep][method] = paths[key][method];
      }
      delete paths[key];
      merged.push(key);
    }
  }
  return merged;
}

/**
 * openapi-typescript keys operations by operationId, so a second operation of one id would take
 * the first's place (LXD's description gives `/1.0/storage-volumes/{type}` the id of
 * `/1.0/storage-pools/{poolName}/volumes/{type}`): a later one is named after its path.
 */
function uniqueOperationIds(paths, taken = new Set()) {
  for (const [path, item] of Object.entries(paths))
    for (const method of HTTP_METHODS) {
      const op = item[method];
      if (!op?.operationId) continue;
      if (taken.has(op.operationId)) {
        const id = `${path
          .replace(/^\/1\.0\/?/, "")
          .replace(/[^A-Za-z0-9]+/g, "_")
          .replace(/^_|_$/g, "")}_${method}`;
        if (taken.has(id)) throw new Error(`generate: ${op.operationId} and ${id} (${method} ${path}) are both taken`);
        op.operationId = id;
      }
      taken.add(op.operationId);
    }
}

// Keys that say how a schema reads, not what it holds.
const DOC_KEYS = new Set(["description", "title", "example", "x-go-name", "x-go-package"]);

/** Whether Incus's schema holds nothing LXD's of the same name lacks (LXD's then types both). */
function fitsWithin(incus, lxd) {
  if (Array.isArray(incus)) return Array.isArray(lxd) && incus.length === lxd.length && incus.every((x, i) => fitsWithin(x, lxd[i]));
  if (!incus || typeof incus !== "object") return incus === lxd;
  if (!lxd || typeof lxd !== "object" || Array.isArray(lxd)) return false;
  for (const [k, v] of Object.entries(incus)) {
    if (DOC_KEYS.has(k)) continue;
    if (k === "properties") {
      if (!Object.entries(v).every(([name, p]) => lxd.properties && name in lxd.properties && fitsWithin(p, lxd.properties[name])))
        return false;
    } else if (!fitsWithin(v, lxd[k])) return false;
  }
  return Object.keys(lxd).every((k) => DOC_KEYS.has(k) || k === "properties" || k in incus);
}

/** Rewrites every `$ref` in `node` through `rename` (a map from old to new reference). */
function renameRefs(node, rename) {
  if (Array.isArray(node)) for (const x of node) renameRefs(x, rename);
  else if (node && typeof node === "object")
    for (const [k, v] of Object.entries(node)) {
      if (k === "$ref" && rename.has(v)) node[k] = rename.get(v);
      else renameRefs(v, rename);
    }
}

const INCUS_NOTE =
  "Incus only: in Incus 6.0's description (openapi/incus-rest-api-6.0.4.yaml), not in LXD's, which answers 404. " +
  '`GET /1.0` tells the servers apart: its `environment.server` is "incus" or "lxd".';
const NEWER_NOTE =
  "Not in LXD 5.0's description (openapi/rest-api-5.0.yaml): an older server answers 404; " +
  "`GET /1.0` lists the API extensions a server has (`server.supports`).";

/** Puts `note` first in an operation's description, which the generated types carry as JSDoc. */
function annotate(op, note) {
  op.description = op.description ? `${note}\n\n${op.description}` : note;
}

/**
 * Adds to LXD's paths what Incus describes beyond them: paths of a URL LXD does not have, under
 * Incus's key, and methods LXD lacks on a URL it has, under LXD's key. Their definitions come
 * along: one LXD also defines is LXD's where Incus's holds nothing more (fitsWithin), and is
 * otherwise kept apart as `Incus<Name>`. On a method both have, the query parameters only Incus's
 * gives join LXD's (addQueryParams). Returns the keys of the paths and the operations added, and
 * the `METHOD path name` of each parameter added.
 */
function addIncusExtras(lxd, incus) {
  const lxdKeyOf = new Map(Object.keys(lxd.paths).map((k) => [shapeOf(k), k]));
  const added = [];
  const params = [];
  const carried = new Set();
  const taken = new Set(Object.values(lxd.paths).flatMap((item) => HTTP_METHODS.map((m) => item[m]?.operationId).filter(Boolean)));
  for (const [key, item] of Object.entries(incus.paths)) {
    const lxdKey = lxdKeyOf.get(shapeOf(key));
    if (!lxdKey) {
      lxd.paths[key] = item;
      added.push(key);
      for (const m of HTTP_METHODS) if (item[m]) carried.add(item[m]);
      continue;
    }
    for (const m of HTTP_METHODS) {
      const ours = lxd.paths[lxdKey][m];
      if (!item[m]) continue;
      if (!ours) {
        lxd.paths[lxdKey][m] = item[m];
        carried.add(item[m]);
      } else for (const name of addQueryParams(ours, item[m])) params.push(`${m.toUpperCase()} ${lxdKey} ${name}`);
    }
  }
  for (const op of carried) {
    annotate(op, INCUS_NOTE);
    if (taken.has(op.operationId)) op.operationId = `incus_${op.operationId}`;
  }
  const rename = new Map();
  const copied = [];
  for (const ref of [...reachableComponents(incus, [...carried])].sort(byCodeUnits)) {
    const [, , kind, name] = ref.split("/");
    const mine = incus.components[kind][name];
    const theirs = lxd.components[kind]?.[name];
    if (theirs && fitsWithin(mine, theirs)) continue;
    const as = theirs ? `Incus${name}` : name;
    if (lxd.components[kind]?.[as]) throw new Error(`generate: Incus's ${kind} ${name} would replace LXD's ${as}`);
    (lxd.components[kind] ??= {})[as] = mine;
    copied.push(mine);
    if (as !== name) rename.set(ref, `#/components/${kind}/${as}`);
  }
  renameRefs([...carried, ...copied], rename);
  return { added, carried, params };
}

const INCUS_PARAM_NOTE = "Incus only: in Incus 6.0's description, not in LXD's, whose server ignores it.";

/**
 * Adds to LXD's operation the query parameters Incus's gives for the same method and LXD's lacks
 * (`filter` on the collections Incus filters with `api_filtering_extended`, where LXD answers the
 * whole list), so a typed call can send them; each says so in its description. Returns their names.
 */
function addQueryParams(ours, theirs) {
  const have = new Set((ours.parameters ?? []).map((p) => `${p.in}:${p.name}`));
  const names = [];
  for (const p of theirs.parameters ?? []) {
    if (p.$ref || p.in !== "query" || have.has(`query:${p.name}`)) continue;
    const description = p.description ? `${INCUS_PARAM_NOTE} ${p.description}` : INCUS_PARAM_NOTE;
    (ours.parameters ??= []).push({ ...p, required: false, description });
    names.push(p.name);
  }
  return names;
}

/**
 * Marks the operations a LXD 5.0 server lacks (their URL, or that method of it, is not in 5.0's
 * description), but for Incus's, which say so themselves.
 */
function markNewerThan50(paths, old, incusOnly) {
  const oldByShape = new Map(
    Object.keys(old)
      .filter((k) => !k.includes("?"))
      .map((k) => [shapeOf(k), old[k]]),
  );
  for (const [key, item] of Object.entries(paths))
    for (const m of HTTP_METHODS) {
      const op = item[m];
      if (op && !incusOnly.has(op) && !oldByShape.get(shapeOf(key))?.[m]) annotate(op, NEWER_NOTE);
    }
}

// Go's type names in go-swagger comments (`type: bool` on all-projects of storage volumes, which
// openapi-typescript would type unknown): JSON Schema's names. Any other unknown name fails.
const TYPE_NAMES = { bool: "boolean" };
const JSON_TYPES = new Set(["string", "number", "integer", "boolean", "array", "object"]);

function repairTypeNames(node, where = "") {
  if (Array.isArray(node)) {
    for (const [i, x] of node.entries()) repairTypeNames(x, `${where}/${i}`);
  } else if (node && typeof node === "object")
    for (const [k, v] of Object.entries(node)) {
      if (k === "example") continue;
      if (k === "type" && typeof v === "string" && !JSON_TYPES.has(v)) {
        if (!TYPE_NAMES[v]) throw new Error(`generate: ${where} has type ${v}`);
        node.type = TYPE_NAMES[v];
      } else repairTypeNames(v, `${where}/${k}`);
    }
}

/** What buildFragment took from each description, for the generation test. */
export const census = {};

export async function buildFragment() {
  const require = createRequire(import.meta.url);
  const s2o = require("swagger2openapi");
  const YAML = require("yaml");
  const convert = async (file) =>
    (await s2o.convertStr(await readFile(`${root}/${file}`, "utf8"), { patch: true, warnOnly: true })).openapi;
  const full = await convert(SOURCE);
  const incus = await convert(SOURCE_INCUS);
  const old = YAML.parse(await readFile(`${root}/${SOURCE_50}`, "utf8")).paths;

  const lxdKeys = Object.keys(full.paths).filter((k) => !k.includes("?"));
  foldQueryVariants(full.paths);
  foldQueryVariants(incus.paths);
  const merged = mergeDuplicateKeys(full.paths, SOURCE);
  mergeDuplicateKeys(incus.paths, SOURCE_INCUS);
  for (const key of Object.keys(EXCLUDED)) {
    if (merged.includes(key)) continue;
    if (!full.paths[key]) throw new Error(`generate: EXCLUDED lists ${key}, which ${SOURCE} has no more`);
    delete full.paths[key];
  }
  const excluded = lxdKeys.filter((k) => !full.paths[k]);
  uniqueOperationIds(full.paths);
  uniqueOperationIds(incus.paths);
  const { added: incusPaths, carried: incusOps, params: incusParams } = addIncusExtras(full, incus);
  const byShape = (doc) =>
    new Map(
      Object.entries(doc)
        .filter(([k]) => !k.includes("?"))
        .map(([k, v]) => [shapeOf(k), v]),
    );
  joinOtherAnswers(
    full.paths,
    [
      { name: "LXD 5.0", byShape: byShape(old) },
      { name: "Incus", byShape: byShape(incus.paths) },
    ],
    full.components,
  );
  markNewerThan50(full.paths, old, incusOps);

  const paths = {};
  for (const p of Object.keys(full.paths).sort(byCodeUnits)) {
    declarePathParams(p, full.paths[p]);
    paths[p] = full.paths[p];
  }
  Object.assign(census, {
    lxd: lxdKeys.filter((k) => !excluded.includes(k)).sort(byCodeUnits),
    incus: incusPaths.sort(byCodeUnits),
    incusParams: incusParams.sort(byCodeUnits),
    excluded,
  });
  repairAsyncAnswers(paths);
  repairBodyMedia(paths, full.components.requestBodies);
  const components = {};
  for (const ref of [...reachableComponents(full, paths)].sort(byCodeUnits)) {
    const [, , kind, name] = ref.split("/");
    if (!full.components[kind]?.[name]) throw new Error(`generate: ${ref} is not defined; exclude the paths that use it (EXCLUDED)`);
    (components[kind] ??= {})[name] = full.components[kind][name];
  }
  repairTypeNames({ paths, components });
  repairSchemas(components.schemas ?? {});
  repairResponses(paths, components);
  for (const kind of Object.keys(components)) {
    components[kind] = Object.fromEntries(Object.entries(components[kind]).sort(([a], [b]) => byCodeUnits(a, b)));
  }
  return {
    openapi: full.openapi,
    info: {
      ...full.info,
      description: `Every path of ${SOURCE} (LXD's own API description) but those scripts/generate.mjs excludes, and those ${SOURCE_INCUS} adds (marked "Incus only"), derived by scripts/generate.mjs.`,
    },
    paths,
    components: Object.fromEntries(Object.entries(components).sort(([a], [b]) => byCodeUnits(a, b))),
  };
}

/** Sorts as code units do, whatever the machine's locale. */
const byCodeUnits = (a, b) => (a < b ? -1 : a > b ? 1 : 0);

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
