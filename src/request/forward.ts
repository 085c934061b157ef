// `api()`'s requests: openapi-fetch builds a Request, and it goes out through the pipeline with
// the scope's query and the hooks. Its own module so that only apps using `api()` bundle it.
import { type Pipeline, scopedQuery, type Where } from "./pipeline.js";

/** Sends a Request built elsewhere, its query given the scope; failures are the transport's own. */
export function forward(pipeline: Pipeline, where: Where, request: Request): Promise<Response> {
  const s = pipeline.scope(where);
  const url = new URL(request.url);
  const query = scopedQuery(Object.fromEntries(url.searchParams), s);
  for (const [k, v] of Object.entries(query ?? {})) if (v !== undefined && !url.searchParams.has(k)) url.searchParams.set(k, String(v));
  const init: RequestInit & { duplex?: "half" } = { method: request.method, headers: request.headers, signal: request.signal };
  if (request.body) {
    init.body = request.body;
    init.duplex = "half";
  }
  return pipeline.exchange(pipeline.transport(s), url.href, init, { remote: s.remote, method: request.method, path: url.pathname });
}
