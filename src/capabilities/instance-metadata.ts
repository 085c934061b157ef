// An instance's image metadata (`/1.0/instances/{name}/metadata`: architecture, dates, properties,
// which templates apply when) and its template files (`…/metadata/templates?path=`), whose content
// goes both ways as the file itself, not an LXD envelope.
import { syncMetadata } from "../request/envelope.js";
import { envelopeOf, sendRaw } from "../request/raw.js";
import type { Core } from "../request/core.js";
import { classifyFailure } from "../request/pipeline.js";
import type { components } from "../generated/lxd.js";
import { type Call, call, type Flat, type Lead } from "./mutator.js";
import type { ProjectOptions } from "./options.js";
import { InvalidArgumentError } from "../utils/errors.js";
import { checkInstanceCall, checkSegment } from "../utils/validate.js";

export type InstanceMetadata = components["schemas"]["ImageMetadata"];

export interface InstanceTemplatesApi<L extends Lead = Flat> {
  /** The template files' names. */
  list: Call<[instance: string], ProjectOptions, string[], L>;
  /** One template file's content. */
  get: Call<[instance: string, template: string], ProjectOptions, string, L>;
  /** Creates or replaces a template file (its content as text or bytes). */
  put: Call<[instance: string, template: string, content: string | Uint8Array], ProjectOptions, void, L>;
  delete: Call<[instance: string, template: string], ProjectOptions, void, L>;
}

export interface InstanceMetadataApi<L extends Lead = Flat> {
  get: Call<[instance: string], ProjectOptions, InstanceMetadata, L>;
  /** `PUT`: replaces the metadata. */
  update: Call<[instance: string, metadata: InstanceMetadata], ProjectOptions, void, L>;
  readonly templates: InstanceTemplatesApi<L>;
}

const META = "/1.0/instances/{name}/metadata";
const TEMPLATES = "/1.0/instances/{name}/metadata/templates";

export function createInstanceMetadata(deps: { core: Core }): InstanceMetadataApi {
  const { core } = deps;
  const q = (o: ProjectOptions, path?: string) => ({
    ...(o.project !== undefined && { project: o.project }),
    ...(path !== undefined && { path }),
  });
  const template = (where: string, name: unknown, t: unknown, o: ProjectOptions) => {
    checkInstanceCall(where, name, o);
    return checkSegment(where, "template", t);
  };
  const templates: InstanceTemplatesApi = {
    list: call<[string], ProjectOptions, string[]>("instances.metadata.templates.list", 1, async (at, [name], o) => {
      checkInstanceCall("instances.metadata.templates.list", name, o);
      const sent = await sendRaw(core, at, "GET", TEMPLATES, { params: { path: { name }, query: q(o) }, signal: o.signal });
      return (syncMetadata(await envelopeOf(sent, o.signal)) as string[] | null) ?? [];
    }),
    get: call<[string, string], ProjectOptions, string>("instances.metadata.templates.get", 2, async (at, [name, t], o) => {
      const path = template("instances.metadata.templates.get", name, t, o);
      const sent = await sendRaw(core, at, "GET", TEMPLATES, { params: { path: { name }, query: q(o, path) }, signal: o.signal });
      try {
        return await sent.response.text();
      } catch (err) {
        throw classifyFailure(sent.ctx, err, o.signal);
      }
    }),
    put: call<[string, string, string | Uint8Array], ProjectOptions, void>(
      "instances.metadata.templates.put",
      3,
      async (at, [name, t, content], o) => {
        const where = "instances.metadata.templates.put";
        const path = template(where, name, t, o);
        if (typeof content !== "string" && !(content instanceof Uint8Array))
          throw new InvalidArgumentError(`${where}: the content must be a string or a Uint8Array`);
        const bytes = typeof content === "string" ? new TextEncoder().encode(content) : content;
        const sent = await sendRaw(core, at, "POST", TEMPLATES, {
          params: { path: { name }, query: q(o, path) },
          body: bytes,
          headers: { "Content-Type": "application/octet-stream" },
          signal: o.signal,
        });
        syncMetadata(await envelopeOf(sent, o.signal));
      },
    ),
    delete: call<[string, string], ProjectOptions, void>("instances.metadata.templates.delete", 2, async (at, [name, t], o) => {
      const path = template("instances.metadata.templates.delete", name, t, o);
      const sent = await sendRaw(core, at, "DELETE", TEMPLATES, { params: { path: { name }, query: q(o, path) }, signal: o.signal });
      syncMetadata(await envelopeOf(sent, o.signal));
    }),
  };
  return {
    get: call<[string], ProjectOptions, InstanceMetadata>("instances.metadata.get", 1, async (at, [name], o) => {
      checkInstanceCall("instances.metadata.get", name, o);
      return syncMetadata(await core.send(at, "GET", META, { params: { path: { name }, query: q(o) }, signal: o.signal }));
    }),
    update: call<[string, InstanceMetadata], ProjectOptions, void>("instances.metadata.update", 2, async (at, [name, body], o) => {
      checkInstanceCall("instances.metadata.update", name, o);
      if (typeof body !== "object" || body === null || Array.isArray(body))
        throw new InvalidArgumentError("instances.metadata.update: the metadata must be an object");
      syncMetadata(await core.send(at, "PUT", META, { params: { path: { name }, query: q(o) }, body, signal: o.signal }));
    }),
    templates,
  };
}
