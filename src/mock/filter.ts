// The part of LXD's filter language the virtual LXD knows: `name eq x`. Any other expression
// matches everything, so a test relying on it sees the whole list rather than a made-up subset.

/**
 * The list's filter as the server applies it: the query's, when the server announces the
 * extension under which it filters this list, else none (the server ignores the parameter).
 */
export const appliedFilter = (extensions: readonly string[], extension: string, query: URLSearchParams): string | null =>
  extensions.includes(extension) ? query.get("filter") : null;

/** Whether `item` passes `filter` (null: no filter). */
export function matchesName(filter: string | null, item: { name: string }): boolean {
  const m = filter && /^name eq (\S+)$/.exec(filter);
  return !m || m[1] === item.name;
}
