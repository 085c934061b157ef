// The part of LXD's filter language the virtual LXD knows: `name eq x`. Any other expression
// matches everything, so a test relying on it sees the whole list rather than a made-up subset.

/** Whether `item` passes `filter` (null: no filter). */
export function matchesName(filter: string | null, item: { name: string }): boolean {
  const m = filter && /^name eq (\S+)$/.exec(filter);
  return !m || m[1] === item.name;
}
