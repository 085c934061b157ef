// The server's metrics (`GET /1.0/metrics`, API extension "metrics"): OpenMetrics text about each
// running instance (CPU, memory, disk, network, processes), as the text itself or parsed into
// families and samples (utils/openmetrics.ts). Only a trusted client gets them (403 otherwise),
// over HTTPS or the unix socket.
import { unexpectedAnswer } from "../request/envelope.js";
import { sendRaw } from "../request/raw.js";
import type { Core } from "../request/core.js";
import { classifyFailure, type Where } from "../request/pipeline.js";
import { type Args, call, type Flat, type Lead, type WithMutator } from "./mutator.js";
import type { ProjectOptions } from "./options.js";
import { requireExtension, type InfoCache } from "./server.js";
import { InvalidArgumentError } from "../utils/errors.js";
import { type ParsedMetrics, parseMetrics } from "../utils/openmetrics.js";
import { checkSegment } from "../utils/validate.js";

export type { MetricFamily, MetricSample, MetricType, ParsedMetrics } from "../utils/openmetrics.js";

export interface MetricsOptions extends ProjectOptions {
  /** The cluster member whose instances to report (its own, by default, the member asked). */
  target?: string;
}

/** The parsed metrics, with the text they were parsed from. */
export interface Metrics extends ParsedMetrics {
  text: string;
}

type MetricsCall<T, L extends Lead> = WithMutator<Args<L, []>, MetricsOptions, T>;

export interface MetricsApi<L extends Lead = Flat> {
  /** `GET /1.0/metrics` as the server sends it (OpenMetrics text). */
  text: MetricsCall<string, L>;
  /** `GET /1.0/metrics` parsed: every family with its type and help, and every sample `{ name, labels, value }`. */
  get: MetricsCall<Metrics, L>;
}

export function createMetrics(deps: { core: Core; info: InfoCache }): MetricsApi {
  const { core } = deps;
  const fetchText = async (
    where: string,
    at: Where,
    o: MetricsOptions,
  ): Promise<{ text: string; sent: Awaited<ReturnType<typeof sendRaw>> }> => {
    if (o.project !== undefined) checkSegment(where, "project", o.project);
    if (o.target !== undefined) checkSegment(where, "target", o.target);
    await requireExtension(deps.info, core.resolve(at), "metrics", where, o.signal);
    const query: Record<string, string> = {};
    if (o.project !== undefined) query.project = o.project;
    if (o.target !== undefined) query.target = o.target;
    const sent = await sendRaw(core, at, "GET", "/1.0/metrics", { params: { path: undefined as never, query }, signal: o.signal });
    try {
      return { text: await sent.response.text(), sent };
    } catch (err) {
      throw classifyFailure(sent.ctx, err, o.signal);
    }
  };
  const text = call<[], MetricsOptions, string>("metrics.text", 0, async (at, _, o) => (await fetchText("metrics.text", at, o)).text);
  const get = call<[], MetricsOptions, Metrics>("metrics.get", 0, async (at, _, o) => {
    const { text: body, sent } = await fetchText("metrics.get", at, o);
    try {
      return { text: body, ...parseMetrics(body) };
    } catch (err) {
      if (!(err instanceof InvalidArgumentError)) throw err;
      const { ctx, response } = sent;
      throw unexpectedAnswer(
        { ctx, status: response.status, headers: response.headers },
        `metrics not in the text format (${err.message})`,
      );
    }
  });
  return { text, get };
}
