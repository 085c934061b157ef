// The virtual LXD's DNS zones and their records, two virtual families (collection.ts), with LXD
// 5.0.2's messages (checked by curl on its unix socket): a zone's records answer "Network zone
// not found" once it is gone, and deleting a zone deletes its records.
import { http } from "msw";
import { virtualFamily, type VirtualItem } from "./collection.js";
import type { MockContext } from "./context.js";

// The config keys LXD 5.0 takes on a zone.
const ZONE_KEY = /^(?:dns\.nameservers|network\.nat|peers\.[^.]+\.(?:address|key)|user\..+)$/;
const invalid = (bad: string | undefined) => (bad === undefined ? undefined : ([500, `Invalid config option "${bad}"`] as const));

export function mockNetworkZones(ctx: MockContext) {
  const zones = virtualFamily<VirtualItem>(ctx, {
    path: "/1.0/network-zones",
    lifecycle: "network-zone",
    notFound: "Network zone not found",
    exists: () => [400, "The network zone already exists"],
    create: (b) => ({
      name: String(b.name),
      description: typeof b.description === "string" ? b.description : "",
      config: (b.config as Record<string, string> | undefined) ?? {},
    }),
    checkConfig: (config) => invalid(Object.keys(config).find((k) => !ZONE_KEY.test(k))),
    view: (z) => ({ description: z.description, config: z.config, name: z.name, used_by: [] }),
    noRename: true,
  });
  const records = virtualFamily<VirtualItem>(ctx, {
    path: "/1.0/network-zones/:zone/records",
    lifecycle: "network-zone-record",
    notFound: "Network zone record not found",
    // LXD 5.0.2 passes its database's words on.
    exists: () => [500, "UNIQUE constraint failed: networks_zones_records.name"],
    create: (b) => ({
      name: String(b.name),
      description: typeof b.description === "string" ? b.description : "",
      entries: Array.isArray(b.entries) ? b.entries : null,
      config: (b.config as Record<string, string> | undefined) ?? {},
    }),
    checkConfig: (config) => invalid(Object.keys(config).find((k) => !k.startsWith("user."))),
    view: (r) => ({ description: r.description, entries: r.entries, config: r.config, name: r.name }),
    noRename: true,
  });
  const zone = `${ctx.base}/1.0/network-zones/:zone`;
  const found = (name: unknown) => zones.items().has(String(name));
  const handlers = [
    // A zone's records are reached through the zone: none without it.
    ...(["get", "post", "put", "patch", "delete"] as const).flatMap((m) =>
      [`${zone}/records`, `${zone}/records/:name`].map((path) =>
        http[m](path, ({ params }) => (found(params.zone) ? undefined : ctx.error(404, "Network zone not found"))),
      ),
    ),
    // Its records go with the zone.
    http.delete(zone, ({ params }) => {
      if (found(params.zone)) records.items("default", { zone: String(params.zone) }).clear();
      return undefined;
    }),
    ...records.handlers,
    ...zones.handlers,
  ];
  return { zones, records, handlers };
}
