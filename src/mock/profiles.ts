// The virtual LXD's profiles (per project, the default profile undeletable), on the virtual
// family (collection.ts), with LXD 5.0.2's messages; `used_by` names the instances using each.
import { virtualFamily, type VirtualItem } from "./collection.js";
import type { MockContext } from "./context.js";

export interface MockProfile extends VirtualItem {
  description: string;
  devices: Record<string, Record<string, string>>;
}

// The instance and profile config namespaces LXD accepts on a profile; anything else is refused.
const KEY = /^(?:limits|security|user|environment|boot|raw|linux|snapshots|migration|nvidia|cloud-init|image|agent|cluster)\./;

export function mockProfiles(ctx: MockContext) {
  const family = virtualFamily<MockProfile>(ctx, {
    path: "/1.0/profiles",
    lifecycle: "profile",
    perProject: true,
    notFound: "Fetch profile: Profile not found",
    exists: (name) => [500, `Error inserting "${name}" into database: The profile already exists`],
    create: (b) =>
      String(b.name).includes("/")
        ? [400, "Profile names may not contain slashes"]
        : {
            name: String(b.name),
            description: typeof b.description === "string" ? b.description : "",
            config: (b.config as Record<string, string> | undefined) ?? {},
            devices: (b.devices as MockProfile["devices"] | undefined) ?? {},
          },
    refuse: (action, p) =>
      p.name === "default" && action !== "update"
        ? [403, `The "default" profile cannot be ${action === "delete" ? "deleted" : "renamed"}`]
        : undefined,
    checkConfig: (config) => {
      const bad = Object.keys(config).find((k) => !KEY.test(k));
      return bad === undefined ? undefined : [500, `Unknown configuration key: ${bad}`];
    },
    view: (p) => ({
      ...p,
      used_by: [...ctx.instances.values()].filter((i) => i.profiles.includes(p.name)).map((i) => `/1.0/instances/${i.name}`),
    }),
  });
  family.items().set("default", { name: "default", description: "Default LXD profile", config: {}, devices: {} });
  return family;
}
