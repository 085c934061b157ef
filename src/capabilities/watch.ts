// Live collections: a list kept current from LXD's lifecycle events. The events socket is joined
// first and the list fetched once it is live, so no change falls between the two; then every
// lifecycle event whose source is an object of the collection (`/1.0/instances/c1` for
// `/1.0/instances`), and every reconnect of the socket (events of the gap are lost), fetches the
// list again. A consumer gets each list that differs from the last one it got, never a queue of
// stale ones, and an error (a failed list, events that cannot be opened) ends the iteration
// instead of leaving a list silently stale. Every watch of a remote and project shares one socket.
import type { Where } from "../request/pipeline.js";
import { AbortError, LxdFetchError } from "../utils/errors.js";
import { checkBoolean, checkOptions, checkSegment, checkSignal } from "../utils/validate.js";
import { pull } from "../utils/pull.js";
import { type EventHub, LISTENING_AFTER_MS } from "./events.js";

export interface WatchOptions {
  /** The project to watch (default: the connection's). */
  project?: string;
  /** Every project (where the family is per project and the server can list them all). */
  allProjects?: boolean;
  signal?: AbortSignal;
}

/** An async iterable of the collection's current list: first the list, then each changed one. */
export interface Watch<T> extends AsyncIterable<T[]> {
  /** Ends the iteration and leaves the shared events socket. */
  close(): void;
}

export interface WatchDeps {
  core: { scope(where: Where): { remote: string; project?: string | undefined } };
  hub: EventHub;
}

/**
 * Watches the collection at `path` (its list path, parents filled in): `list(options)` fetches it,
 * with the project options the watch was given.
 */
export function watchCollection<T>(
  deps: WatchDeps,
  at: Where,
  where: string,
  path: string,
  given: WatchOptions | undefined,
  list: (o: { project?: string; allProjects?: boolean; signal: AbortSignal }) => Promise<T[]>,
): Watch<T> {
  const o = checkOptions(where, given);
  if (o.project !== undefined) checkSegment(where, "project", o.project);
  checkBoolean(where, "allProjects", o.allProjects);
  checkSignal(where, o.signal);
  const scope = deps.core.scope(at);
  const project = o.allProjects ? undefined : (o.project ?? scope.project);
  const stop = new AbortController();
  let latest: T[] | undefined;
  let shown = ""; // the JSON of the list the consumer last got
  let fresh = false; // `latest` differs from what the consumer got
  let failure: Error | undefined;
  let closed = false;
  let listing: Promise<void> | undefined;
  let again = false;
  // After close() nothing more is given, not even a list fetched meanwhile; then the end.
  const lists = pull(
    () => {
      if (!fresh || closed) return undefined;
      fresh = false;
      return { value: latest! };
    },
    () => closed && { error: failure },
    () => close(),
  );

  const fail = (err: Error) => {
    failure ??= err;
    close();
  };
  // `optional`: a second look that may fail harmlessly (the daemon restarting meanwhile: its
  // reconnect lists again); any other failed list ends the watch.
  const refresh = (optional = false): void => {
    if (closed) return;
    if (listing) {
      again = true; // a change came during the list: fetch once more after it
      return;
    }
    listing = list({ ...(project !== undefined && { project }), ...(o.allProjects && { allProjects: true }), signal: stop.signal })
      .then(
        (items) => {
          const json = JSON.stringify(items);
          if (json !== shown) {
            latest = items;
            fresh = true;
            shown = json;
            lists.wake();
          }
        },
        optional ? () => undefined : fail,
      )
      .finally(() => {
        listing = undefined;
        if (again) {
          again = false;
          refresh();
        }
      });
  };
  // LXD listens on a new socket only a moment after it opened (events.ts): a change in that
  // moment has no event, so the list is fetched again once the socket surely listens.
  let settle: ReturnType<typeof setTimeout> | undefined;
  const refreshNowAndOnceListening = () => {
    refresh();
    clearTimeout(settle);
    settle = setTimeout(() => refresh(true), LISTENING_AFTER_MS);
  };
  const prefix = `${path}/`;
  const { ready, leave } = deps.hub.join(
    scope.remote,
    { types: ["lifecycle"], ...(project !== undefined && { project }), ...(o.allProjects && { allProjects: true }) },
    {
      event(e) {
        if (e.type !== "lifecycle") return;
        const source = String(e.metadata?.source ?? "").split("?")[0]!;
        if (source === path || source.startsWith(prefix)) refresh();
      },
      reconnected: refreshNowAndOnceListening,
      failed: (err) => fail(new LxdFetchError(`${where}: the events socket failed, so the list cannot be kept current`, { cause: err })),
    },
  );
  ready.then(refreshNowAndOnceListening, () => undefined); // a failure reaches `failed`

  const onAbort = () => fail(new AbortError(where, o.signal?.reason));
  function close(): void {
    if (closed) return;
    closed = true;
    clearTimeout(settle);
    leave();
    stop.abort();
    o.signal?.removeEventListener("abort", onAbort);
    lists.wake();
  }
  if (o.signal?.aborted) onAbort();
  else o.signal?.addEventListener("abort", onAbort, { once: true });

  return { close, [Symbol.asyncIterator]: lists.iterate };
}
