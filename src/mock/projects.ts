// The virtual LXD's projects (the default one undeletable), on the virtual family
// (collection.ts), with LXD 5.0.2's messages, and each project's state.
import { http } from "msw";
import { virtualFamily, type VirtualItem } from "./collection.js";
import type { MockContext } from "./context.js";

const KEY = /^(?:features|limits|restricted|user|images|backups)(?:\.|$)/;

export function mockProjects(ctx: MockContext) {
  const family = virtualFamily<VirtualItem>(ctx, {
    path: "/1.0/projects",
    lifecycle: "project",
    notFound: "Project not found",
    exists: (name) => [409, `Failed creating project "${name}": Failed adding database record: This "projects" entry already exists`],
    create: (b) =>
      String(b.name).includes("/")
        ? [400, "Project names may not contain slashes"]
        : {
            name: String(b.name),
            description: typeof b.description === "string" ? b.description : "",
            config: (b.config as Record<string, string> | undefined) ?? {},
          },
    refuse: (action, p) =>
      p.name === "default" && action !== "update"
        ? [403, `The 'default' project cannot be ${action === "delete" ? "deleted" : "renamed"}`]
        : undefined,
    checkConfig: (config) => {
      const bad = Object.keys(config).find((k) => !KEY.test(k));
      return bad === undefined ? undefined : [400, `Invalid project configuration key "${bad}"`];
    },
  });
  const defaults = ["images", "profiles", "storage.volumes", "networks"].map((f) => [`features.${f}`, "true"]);
  family.items().set("default", { name: "default", description: "Default LXD project", config: Object.fromEntries(defaults) });
  // No limits are kept, so every resource shows its usage against no limit (-1), as LXD does.
  const state = http.get(`${ctx.base}/1.0/projects/:name/state`, ({ params }) =>
    family.items().has(String(params.name)) ? ctx.ok({ resources: {} }) : ctx.error(404, "Project not found"),
  );
  return { ...family, handlers: [state, ...family.handlers] };
}
