// `api()`'s requests: openapi-fetch builds a Request, and it goes out through the pipeline with
// the scope's query and the hooks. Its own module so that only apps using `api()` bundle it.
import { type Pipeline, scopedQuery, type Where } from "./pipeline.js";

/** Sends a Request built elsewhere, its query given the scope; failures are the transport's own. */
export async function forward(pipeline: Pipeline, where: Where, request: Request): Promise<Response> {
  const s = pipeline.scope(where);
  const url = new URL(request.url);
  const query = scopedQuery(Object.fromEntries(url.searchParams), s);
  for (const [k, v] of Object.entries(query ?? {})) if (v !== undefined && !url.searchParams.has(k)) url.searchParams.set(k, String(v));
  const init: RequestInit = { method: request.method, headers: request.headers, signal: request.signal };
  // The body as bytes, not the Request's stream: a browser sends a streamed body only over HTTP/2
  // (Chromium: ERR_ALPN_NEGOTIATION_FAILED through a same-origin HTTP/1.1 proxy). openapi-fetch's
  // bodies are JSON; uploads that must stream go through the capabilities (images, files).
  if (request.body) init.body = await request.arrayBuffer();
  return pipeline.exchange(pipeline.transport(s), url.href, init, { remote: s.remote, method: request.method, path: url.pathname });
}
