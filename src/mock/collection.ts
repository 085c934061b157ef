// A virtual CRUD family (profiles, projects, networks, storage pools, volumes, …) as LXD serves
// one: list (names or recursion=1, per project or all-projects), get, create (POST on the list),
// update (PUT), patch (PATCH, config merged), rename (POST on the item) and delete, with LXD's
// status codes, a lifecycle event for each change, and the family's own messages and refusals.
import { http, type PathParams } from "msw";
import type { MockContext } from "./context.js";
import { appliedFilter, matchesName } from "./filter.js";

/** An item as the virtual LXD keeps it: at least a name and a config. */
export interface VirtualItem {
  name: string;
  config: Record<string, string>;
  description?: string;
  [field: string]: unknown;
}

/** A refusal as LXD answers it: the error code (also the HTTP status) and the message. */
export type Refusal = readonly [code: number, message: string];

export interface VirtualFamilySpec<T extends VirtualItem> {
  /** The list's path, with `:param` for the parents: `/1.0/profiles`, `/1.0/storage-pools/:pool/volumes/:type`. */
  readonly path: string;
  /** The lifecycle events' prefix: `profile` gives `profile-created`, `-updated`, `-renamed`, `-deleted`. */
  readonly lifecycle: string;
  /** Items live in a project (`?project=`, default `default`) and can be listed with `all-projects`. */
  readonly perProject?: boolean;
  /** LXD's messages for a missing item and a name already taken. */
  readonly notFound: string;
  readonly exists: (name: string) => Refusal;
  /** A new item from the create body, or LXD's refusal of the body. */
  create(body: Record<string, unknown>, parents: Record<string, string>): T | Refusal;
  /** A refusal of a change LXD would not make (the default profile's delete, a network in use…). */
  refuse?(action: "update" | "rename" | "delete", item: T): Refusal | undefined;
  /** A config that LXD refuses (unknown keys…): checked on create, update and patch. */
  checkConfig?(config: Record<string, string>): Refusal | undefined;
  /** What GET shows of an item (default: the item and `used_by: []`). */
  view?(item: T): object;
  /** Fields a PUT or PATCH cannot change. */
  readonly fixed?: readonly string[];
  /** No rename (POST on the item) in LXD for this family: 405 like a route it lacks. */
  readonly noRename?: boolean;
  /** The create body's field that names the item, when not `name` (a forward's `listen_address`). */
  readonly key?: string;
}

export interface VirtualFamily<T extends VirtualItem> {
  handlers: ReturnType<typeof http.get>[];
  /** The items under `parents` in `project`, by name: a test may read or seed them. */
  items(project?: string, parents?: Record<string, string>): Map<string, T>;
}

/** The project a request names (`?project=`), or `default`. */
export const projectOf = (request: Request) => new URL(request.url).searchParams.get("project") ?? "default";

/** A config: an object of strings. */
export const isStringMap = (v: unknown): v is Record<string, string> =>
  typeof v === "object" && v !== null && !Array.isArray(v) && Object.values(v).every((x) => typeof x === "string");

export function virtualFamily<T extends VirtualItem>(ctx: MockContext, spec: VirtualFamilySpec<T>): VirtualFamily<T> {
  const { base, ok, error } = ctx;
  const parentNames = [...spec.path.matchAll(/:(\w+)/g)].map((m) => m[1]!);
  // One map per project and parents, keyed "project\0pool\0type".
  const stores = new Map<string, Map<string, T>>();
  const keyOf = (project: string, parents: Record<string, string>) => [project, ...parentNames.map((p) => parents[p])].join("\0");
  const items = (project = "default", parents: Record<string, string> = {}) => {
    const k = keyOf(spec.perProject ? project : "default", parents);
    let m = stores.get(k);
    if (!m) stores.set(k, (m = new Map()));
    return m;
  };
  const pathOf = (params: PathParams) => {
    let p = spec.path;
    for (const name of parentNames) p = p.replace(`:${name}`, encodeURIComponent(String(params[name])));
    return p;
  };
  const parentsOf = (params: PathParams) => Object.fromEntries(parentNames.map((p) => [p, String(params[p])]));
  const view = (item: T) => (spec.view ? spec.view(item) : { used_by: [], ...item });
  const refused = ([code, message]: Refusal) => error(code, message);
  const changed = (action: string, request: Request, params: PathParams, name: string, context: Record<string, unknown> = {}) => {
    const project = projectOf(request);
    const source = `${pathOf(params)}/${encodeURIComponent(name)}${spec.perProject && project !== "default" ? `?project=${project}` : ""}`;
    ctx.lifecycle(`${spec.lifecycle}-${action}`, source, context, spec.perProject ? project : "default");
  };
  const body = async (request: Request): Promise<Record<string, unknown> | Refusal> => {
    const parsed = (await request.json().catch(() => undefined)) as unknown;
    if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) return [400, "Invalid request body"];
    const config = (parsed as { config?: unknown }).config;
    if (config !== undefined && !isStringMap(config)) return [400, "json: cannot unmarshal config: values must be strings"];
    return parsed as Record<string, unknown>;
  };
  const isRefusal = (v: unknown): v is Refusal => Array.isArray(v);
  // A PUT replaces what a PUT can carry; the name and the fixed fields stay.
  const replace = (item: T, fields: Record<string, unknown>, merge: boolean) => {
    for (const [k, v] of Object.entries(fields)) {
      if (k === "name" || spec.fixed?.includes(k)) continue;
      if (k === "config" && merge) item.config = { ...item.config, ...(v as Record<string, string>) };
      else (item as Record<string, unknown>)[k] = v;
    }
    if (!merge && fields.config === undefined) item.config = {};
  };
  const list = `${base}${spec.path}`;
  const one = `${list}/:name`;

  return {
    items,
    handlers: [
      http.get(list, ({ request, params }) => {
        const q = new URL(request.url).searchParams;
        const all = spec.perProject && q.get("all-projects") === "true";
        if (all && q.get("project")) return error(400, "Cannot specify a project when requesting all projects");
        const parents = parentsOf(params);
        const found = all
          ? [...stores.entries()].filter(([k]) => k.endsWith(keyOf("", parents))).flatMap(([, m]) => [...m.values()])
          : [...items(projectOf(request), parents).values()];
        // Incus filters every collection; LXD ignores the parameter on these.
        const filter = appliedFilter(ctx.extensions, "api_filtering_extended", q);
        const recursion = Number(q.get("recursion") ?? 0) > 0;
        return ok(
          found.filter((i) => matchesName(filter, i)).map((i) => (recursion ? view(i) : `${pathOf(params)}/${encodeURIComponent(i.name)}`)),
        );
      }),
      http.post(list, async ({ request, params }) => {
        const b = await body(request);
        if (isRefusal(b)) return refused(b);
        const key = b[spec.key ?? "name"];
        if (typeof key !== "string" || key === "") return error(400, "No name provided");
        const store = items(projectOf(request), parentsOf(params));
        if (store.has(key)) return refused(spec.exists(key));
        const made = spec.create(b, parentsOf(params));
        if (isRefusal(made)) return refused(made);
        const bad = spec.checkConfig?.(made.config);
        if (bad) return refused(bad);
        store.set(made.name, made);
        changed("created", request, params, made.name);
        return ok({});
      }),
      http.get(one, ({ request, params }) => {
        const item = items(projectOf(request), parentsOf(params)).get(String(params.name));
        return item ? ok(view(item)) : error(404, spec.notFound);
      }),
      ...(["put", "patch"] as const).map((method) =>
        http[method](one, async ({ request, params }) => {
          const item = items(projectOf(request), parentsOf(params)).get(String(params.name));
          if (!item) return error(404, spec.notFound);
          const b = await body(request);
          if (isRefusal(b)) return refused(b);
          const no = spec.refuse?.("update", item);
          if (no) return refused(no);
          const config = method === "patch" ? { ...item.config, ...(b.config as Record<string, string> | undefined) } : (b.config ?? {});
          const bad = spec.checkConfig?.(config as Record<string, string>);
          if (bad) return refused(bad);
          replace(item, b, method === "patch");
          changed("updated", request, params, item.name);
          return ok({});
        }),
      ),
      http.post(one, async ({ request, params }) => {
        if (spec.noRename) return error(405, "Method Not Allowed");
        const store = items(projectOf(request), parentsOf(params));
        const item = store.get(String(params.name));
        if (!item) return error(404, spec.notFound);
        const b = await body(request);
        if (isRefusal(b)) return refused(b);
        const no = spec.refuse?.("rename", item);
        if (no) return refused(no);
        if (typeof b.name !== "string" || b.name === "") return error(400, "No name provided");
        if (store.has(b.name)) return refused(spec.exists(b.name));
        const old = item.name;
        store.delete(old);
        item.name = b.name;
        store.set(item.name, item);
        changed("renamed", request, params, item.name, { old_name: old });
        return ok({});
      }),
      http.delete(one, ({ request, params }) => {
        const store = items(projectOf(request), parentsOf(params));
        const item = store.get(String(params.name));
        if (!item) return error(404, spec.notFound);
        const no = spec.refuse?.("delete", item);
        if (no) return refused(no);
        store.delete(item.name);
        changed("deleted", request, params, item.name);
        return ok({});
      }),
    ],
  };
}
