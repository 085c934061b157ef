// The virtual LXD's network forwards (`/1.0/networks/{name}/forwards`), on the virtual family
// (collection.ts) keyed by the listen address, with the real servers' answers (LXD 5.0.2 and Incus
// 6.0.4, by curl on their unix sockets): a bridge without an address of the listen address's
// family refuses every forward (500 "Failed creating forward: invalid CIDR address: none"), a
// missing network is "Failed loading network: Network not found". A test may seed forwards
// through `items`, as the address-less test networks cannot hold one.
import { http } from "msw";
import { virtualFamily, type VirtualItem } from "./collection.js";
import type { MockContext } from "./context.js";

export interface MockNetworkForward extends VirtualItem {
  description: string;
  ports: Record<string, unknown>[];
}

const GONE = "Failed loading network: Network not found";

/** The managed networks' types and configs, by name (networks.ts). */
type Networks = () => Map<string, { name: string; type: string; managed: boolean; config: Record<string, string> }>;

export function mockNetworkForwards(ctx: MockContext, networks: Networks) {
  const managed = (name: unknown) => {
    const n = networks().get(String(name));
    return n?.managed ? n : undefined;
  };
  const family = virtualFamily<MockNetworkForward>(ctx, {
    path: "/1.0/networks/:network/forwards",
    lifecycle: "network-forward",
    notFound: "Network forward not found",
    exists: () => [409, "A forward for that listen address already exists"],
    key: "listen_address",
    noRename: true,
    fixed: ["listen_address", "location"],
    create: (b, parents) => {
      const listen = String(b.listen_address);
      const n = managed(parents.network);
      const address = n?.config[listen.includes(":") ? "ipv6.address" : "ipv4.address"];
      // LXD parses the network's own address as a CIDR to check the listen address against it.
      if (address === undefined || address === "none") return [500, `Failed creating forward: invalid CIDR address: ${address ?? ""}`];
      return {
        name: listen,
        description: typeof b.description === "string" ? b.description : "",
        config: (b.config as Record<string, string> | undefined) ?? {},
        ports: Array.isArray(b.ports) ? (b.ports as Record<string, unknown>[]) : [],
      };
    },
    view: (f) => ({ config: f.config, description: f.description, listen_address: f.name, location: "", ports: f.ports }),
  });
  const one = `${ctx.base}/1.0/networks/:network`;
  // A forward is reached through its network: none without it.
  const gone = (["get", "post", "put", "patch", "delete"] as const).flatMap((m) =>
    [`${one}/forwards`, `${one}/forwards/:name`].map((path) =>
      http[m](path, ({ params }) => (managed(params.network) ? undefined : ctx.error(404, GONE))),
    ),
  );
  // The writes word a missing forward as their own failure; a body without a listen address is
  // LXD's failure to parse it.
  const missing = (["put", "patch", "delete"] as const).map((m) =>
    http[m](`${one}/forwards/:name`, ({ request, params }) => {
      const project = new URL(request.url).searchParams.get("project") ?? "default";
      if (family.items(project, { network: String(params.network) }).has(String(params.name))) return undefined;
      return ctx.error(404, `Failed ${m === "delete" ? "deleting" : "updating"} forward: Network forward not found`);
    }),
  );
  const unnamed = http.post(`${one}/forwards`, async ({ request }) => {
    const b = (await request
      .clone()
      .json()
      .catch(() => undefined)) as { listen_address?: unknown } | undefined;
    if (typeof b !== "object" || b === null || (typeof b.listen_address === "string" && b.listen_address !== "")) return undefined;
    return ctx.error(500, 'Failed creating forward: Failed parsing address forward listen address "": invalid CIDR address: /32');
  });
  return { items: family.items, handlers: [...gone, ...missing, unnamed, ...family.handlers] };
}
