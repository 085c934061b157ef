// A CRUD family of LXD's API (profiles, projects, networks, storage pools and volumes, snapshots,
// …) from its two paths: list with recursion and filters, get, create, update (PUT), patch,
// rename (POST on the item) and delete, each typed from the API description for those paths,
// with the family's API extension checked before anything is sent. A family file names its paths
// and adds only what is special to it.
import type { paths } from "../generated/lxd.js";
import { type AsyncPaths, type Core, type Method, type PathsWith, type SendInit, type SyncMetadata, untypedSend } from "../request/core.js";
import { syncMetadata } from "../request/envelope.js";
import { listQuery, namesOf } from "./listing.js";
import { type Args, call, type Call, type Flat, type Lead, type Mutator } from "./mutator.js";
import type { LxdOperation, StartDeps } from "./operation.js";
import { sendWrite } from "./written.js";
import type { Where } from "../request/pipeline.js";
import { requireExtension, type InfoCache } from "./server.js";
import { type Watch, watchCollection, type WatchOptions } from "./watch.js";
import { InvalidArgumentError } from "../utils/errors.js";
import { checkBoolean, checkSegment, checkText } from "../utils/validate.js";

import type { ProjectOptions } from "./options.js";

export type { ProjectOptions } from "./options.js";

export interface CollectionListOptions extends ProjectOptions {
  /**
   * LXD's filter expression, e.g. `name eq web`: Incus filters every collection (extension
   * `api_filtering_extended`); LXD ignores the parameter on most of these lists (warnings are
   * filtered), so there it is an UnsupportedError instead of the whole list.
   */
  filter?: string;
  /** Every project (where the family is per project and the server can). */
  allProjects?: boolean;
  /** The objects instead of their names, in the same single request. */
  recursion?: boolean;
}

/**
 * A family's paths: the list (`/1.0/profiles`) and one item (`/1.0/profiles/{name}`). `Parents`
 * types the path parameters before the item's own, as the calls take them.
 */
export interface Family<
  List extends PathsWith<"GET"> = PathsWith<"GET">,
  Item extends PathsWith<"GET"> = PathsWith<"GET">,
  Parents extends string[] = [],
> {
  /** The registry's name of the family, which error messages start with (`profiles.get: …`). */
  readonly name: string;
  readonly list: List;
  readonly item: Item;
  /** The path parameters before the item's own, in the order the calls take them. */
  readonly parents?: { readonly [K in keyof Parents]: string };
  /** The item's own path parameter. */
  readonly key: string;
  /** The API extension the family needs: UnsupportedError naming it, before sending, where the server lacks it. */
  readonly extension?: string;
  /** The extension `allProjects` needs for this family's list. */
  readonly allProjectsExtension?: string;
  /** The extension `filter` needs for this family's list (default: Incus's `api_filtering_extended`). */
  readonly filterExtension?: string;
}

/** The body the description gives `method path` (never where it has none: that call cannot be made). */
export type BodyFor<M extends Method, P> =
  P extends PathsWith<M> ? (SendInit<M, P> extends { body?: infer B } ? NonNullable<B> : never) : never;

/**
 * A write's answer: the operation where the description gives only an operation; otherwise
 * undefined when done at once, or the operation where a newer server runs it as one (LXD 6.8+,
 * newer Incus): await its `wait()` then.
 */
export type Written<M extends Method, P> =
  P extends AsyncPaths<M> ? (AtOnceToo<M, P> extends true ? LxdOperation | undefined : LxdOperation) : LxdOperation | undefined;

// A 202 path that also answers 200 or 201 (LXD 5.0's and Incus's answers, joined by
// scripts/generate.mjs): a storage pool's create is sync on LXD 5.0.2, an operation on newer LXD.
type AtOnceToo<M extends Method, P> = P extends keyof paths
  ? paths[P][Lowercase<M> & keyof paths[P]] extends { responses: { 200: unknown } } | { responses: { 201: unknown } }
    ? true
    : false
  : false;

/** One family's calls; `Parents` are the path parameters before the item's name, e.g. `[pool: string, type: string]`. */
export interface CollectionApi<
  List extends PathsWith<"GET">,
  Item extends PathsWith<"GET">,
  Parents extends string[] = [],
  L extends Lead = Flat,
> {
  /** Names (default), or with `recursion: true` the objects, in one request; a mutator may follow. */
  list<const O extends CollectionListOptions | undefined = undefined>(...a: Args<L, [...Parents, options?: O]>): Promise<ListedAs<List, O>>;
  list<R>(...a: Args<L, [...Parents, mutator: Mutator<string[], R>]>): Promise<Awaited<R>>;
  list<const O extends CollectionListOptions, R>(
    ...a: Args<L, [...Parents, options: O, mutator: Mutator<ListedAs<List, O>, R>]>
  ): Promise<Awaited<R>>;
  /**
   * The objects, kept current: the list, then each changed list, from the family's lifecycle
   * events and after an events reconnect (one events socket for every watch of a remote and project).
   */
  watch(...a: Args<L, [...Parents, options?: WatchOptions]>): Watch<ItemOf<ListedAs<List, { recursion: true }>>>;
  get: Call<[...Parents, name: string], ProjectOptions, SyncMetadata<"GET", Item>, L>;
  /** `POST` on the list with the description's body. */
  create: Call<[...Parents, body: BodyFor<"POST", List>], ProjectOptions, Written<"POST", List>, L>;
  /** `PUT`: replaces the item's configuration. */
  update: Call<[...Parents, name: string, body: BodyFor<"PUT", Item>], ProjectOptions, Written<"PUT", Item>, L>;
  /** `PATCH`: merges the given fields. */
  patch: Call<[...Parents, name: string, fields: BodyFor<"PATCH", Item>], ProjectOptions, Written<"PATCH", Item>, L>;
  /** `POST` on the item with its new name. */
  rename: Call<[...Parents, name: string, newName: string], ProjectOptions, Written<"POST", Item>, L>;
  delete: Call<[...Parents, name: string], ProjectOptions, Written<"DELETE", Item>, L>;
}

/** One object of a `recursion=1` list. */
type ItemOf<A> = A extends readonly (infer T)[] ? T : never;

/** What `list` gives for its options: names, or the objects of a `recursion=1` list. */
// Not `O extends { recursion?: false }`: that all-optional (weak) type does not take options that
// share none of its properties (`{ filter }`), which then typed as the union.
type ListedAs<List extends PathsWith<"GET">, O> = O extends { recursion: true }
  ? SyncMetadata<"GET", List, { params: { query: { recursion: 1 } } }>
  : O extends { recursion: boolean }
    ? O extends { recursion: false }
      ? string[]
      : string[] | SyncMetadata<"GET", List, { params: { query: { recursion: 1 } } }>
    : string[];

/** What a family is built on: the core, the operations and events for its writes, the server info for extensions. */
export type FamilyDeps = StartDeps & { info: InfoCache };
/** What a family's reads need: no operations, no events (a page that only reads bundles neither). */
export type ReadDeps = { core: Core; info: InfoCache };

type AnyFamily = Family<PathsWith<"GET">, PathsWith<"GET">, string[]>;

/** How many path parameters come before the item's own. */
const parentCount = (family: AnyFamily) => family.parents?.length ?? 0;

/** The path parameters from a call's positional arguments, each one segment (checked before sending). */
function pathOf(family: AnyFamily, where: string, args: readonly unknown[], named: boolean): Record<string, string> {
  const out: Record<string, string> = {};
  const parents: readonly string[] = family.parents ?? [];
  for (const [i, k] of parents.entries()) out[k] = checkSegment(where, k, args[i]);
  if (named) out[family.key] = checkSegment(where, family.key, args[parents.length]);
  return out;
}

/** The family's API extension, checked before anything is sent. */
async function ready(deps: ReadDeps, family: AnyFamily, at: Where, where: string, o: ProjectOptions): Promise<void> {
  if (family.extension) await requireExtension(deps.info, deps.core.resolve(at), family.extension, where, o.signal);
}

/** A project option, checked, as its query. */
function projectQuery(where: string, o: ProjectOptions): { project?: string } {
  return o.project !== undefined ? { project: checkSegment(where, "project", o.project) } : {};
}

/** A family's `list` alone: names, or with `recursion: true` the objects, in one request. */
export function collectionList<List extends PathsWith<"GET">, Item extends PathsWith<"GET">, Parents extends string[] = []>(
  deps: ReadDeps,
  family: Family<List, Item, Parents>,
): CollectionApi<List, Item, Parents>["list"] {
  const where = `${family.name}.list`;
  return call<unknown[], CollectionListOptions, unknown>(where, parentCount(family), async (at, args, o) => {
    const params = pathOf(family, where, args, false);
    checkBoolean(where, "recursion", o.recursion);
    // The scope's checks first: bad input is refused before the extension's GET /1.0.
    const q = await listQuery(deps, at, o, where, family.allProjectsExtension ?? "", family.filterExtension ?? "api_filtering_extended");
    await ready(deps, family, at, where, o);
    const query = o.recursion ? { ...q, recursion: 1 } : { ...q };
    const sent = await untypedSend(deps.core)(at, "GET", family.list, { params: { path: params, query }, signal: o.signal });
    const listed = syncMetadata(sent) as string[] | object[] | null;
    return o.recursion ? (listed ?? []) : namesOf(listed as string[] | null);
  }) as CollectionApi<List, Item, Parents>["list"];
}

/** A family's `get` alone: one item. */
export function collectionGet<List extends PathsWith<"GET">, Item extends PathsWith<"GET">, Parents extends string[] = []>(
  deps: ReadDeps,
  family: Family<List, Item, Parents>,
): CollectionApi<List, Item, Parents>["get"] {
  const where = `${family.name}.get`;
  return call<unknown[], ProjectOptions, unknown>(where, parentCount(family) + 1, async (at, args, o) => {
    const params = pathOf(family, where, args, true);
    const query = projectQuery(where, o);
    await ready(deps, family, at, where, o);
    return syncMetadata(await untypedSend(deps.core)(at, "GET", family.item, { params: { path: params, query }, signal: o.signal }));
  }) as unknown as CollectionApi<List, Item, Parents>["get"];
}

/** The calls of `family` over the core; typed by the family file through CollectionApi. */
export function collection<List extends PathsWith<"GET">, Item extends PathsWith<"GET">, Parents extends string[] = []>(
  deps: FamilyDeps,
  family: Family<List, Item, Parents>,
): CollectionApi<List, Item, Parents> {
  const n = parentCount(family);
  const name = (m: string) => `${family.name}.${m}`;
  const list = collectionList(deps, family) as (at: Where, ...args: unknown[]) => Promise<unknown>;
  // A write: undefined when done at once, else the operation the server runs.
  const write = (m: string, method: Method, p: string, named: boolean, body?: (args: unknown[]) => unknown) =>
    call<unknown[], ProjectOptions, unknown>(name(m), n + (named ? 1 : 0) + (body ? 1 : 0), async (at, args, o) => {
      const where = name(m);
      const params = pathOf(family, where, args, named);
      const payload = body?.(args);
      const { project } = projectQuery(where, o);
      await ready(deps, family, at, where, o);
      return sendWrite(deps, at, method, p, { path: params, project, body: payload, signal: o.signal });
    });

  // The list's path with the parents filled in: what the lifecycle events' sources start with.
  const listPath = (args: readonly unknown[]) => {
    let p: string = family.list;
    for (const [k, v] of Object.entries(pathOf(family, name("watch"), args, false))) p = p.replace(`{${k}}`, encodeURIComponent(v));
    return p;
  };

  const api = {
    watch: (at: Where, ...args: unknown[]) =>
      watchCollection(
        deps,
        at,
        name("watch"),
        listPath(args),
        args[n] as WatchOptions | undefined,
        (o) => list(at, ...args.slice(0, n), { ...o, recursion: true }) as Promise<unknown[]>,
      ),
    list,
    get: collectionGet(deps, family),
    create: write("create", "POST", family.list, false, (args) => checkBody(name("create"), args[n])),
    update: write("update", "PUT", family.item, true, (args) => checkBody(name("update"), args[n + 1])),
    patch: write("patch", "PATCH", family.item, true, (args) => checkBody(name("patch"), args[n + 1])),
    rename: write("rename", "POST", family.item, true, (args) => ({ name: checkSegment(name("rename"), "new name", args[n + 1]) })),
    delete: write("delete", "DELETE", family.item, true),
  };
  // One implementation for every family: the interface is its typing from the description.
  return api as unknown as CollectionApi<List, Item, Parents>;
}

/** A body is an object, and its `config`, where it has one, a map of strings (LXD's rule for every config). */
function checkBody(where: string, body: unknown): object {
  if (typeof body !== "object" || body === null || Array.isArray(body))
    throw new InvalidArgumentError(`${where}: the body must be an object`);
  const { config, name } = body as { config?: unknown; name?: unknown };
  if (name !== undefined) checkSegment(where, "name", name);
  if (config === undefined) return body;
  if (typeof config !== "object" || config === null || Array.isArray(config))
    throw new InvalidArgumentError(`${where}: config must be an object of strings`);
  for (const [k, v] of Object.entries(config)) {
    checkText(where, "config key", k, { empty: false });
    if (typeof v !== "string") throw new InvalidArgumentError(`${where}: config.${k} must be a string (LXD's config values are strings)`);
  }
  return body;
}
