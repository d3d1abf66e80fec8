/**
 * A small client for Prometheus's HTTP API (prometheus.io/docs/prometheus/latest/querying/api/), over core's
 * {@link HttpClient} port, so GET only: `GET /api/v1/label/__name__/values`, `GET /api/v1/query`,
 * `GET /api/v1/query_range`. Every answer is parsed with zod; whatever goes wrong (no answer, a timeout, an HTTP error,
 * Prometheus's own error JSON, a body that is not the API's) becomes a typed {@link Failure}, never an exception.
 */
import * as z from 'zod/mini';
import { getJson, hostOf } from '../http.js';
import type { Failure } from '../model.js';
import type { Ports } from '../ports.js';

/** How to reach a Prometheus server. */
export interface PrometheusConnection {
  /** The base URL, e.g. `http://prometheus:9090` or `https://example.com/prometheus`; never with credentials. */
  url: string;
  /** The Authorization header to send (`Basic …`, `Bearer …`); null for none. A secret: never logged or shown. */
  authorization: string | null;
  /** Time allowed per request, ms. */
  timeoutMs: number;
}

/** One series of an instant query: its labels and value. */
export interface InstantSample {
  labels: Record<string, string>;
  value: number;
}

/** One series of a range query: its labels and values at each step (`t` epoch ms). */
export interface RangeSeries {
  labels: Record<string, string>;
  points: { t: number; value: number }[];
}

/** An answer, or why there is none. */
export type PrometheusResult<T> = { ok: true; data: T } | { ok: false; failure: Failure };

const SERVICE = {
  name: 'Prometheus',
  unauthorizedFix:
    'Check the Prometheus username and password or token in the settings (the secret is kept in the keyring or the file named there).',
};

/** A sample value as Prometheus sends it: `[<unix seconds>, "<number>"]`. */
const SampleValue = z.tuple([z.number(), z.string()]);
const Labels = z.record(z.string(), z.string());

const ErrorBody = z.looseObject({ status: z.literal('error'), errorType: z.optional(z.string()), error: z.string() });
const LabelValuesBody = z.looseObject({ status: z.literal('success'), data: z.array(z.string()) });
const VectorBody = z.looseObject({
  status: z.literal('success'),
  data: z.looseObject({
    resultType: z.literal('vector'),
    result: z.array(z.looseObject({ metric: Labels, value: SampleValue })),
  }),
});
const MatrixBody = z.looseObject({
  status: z.literal('success'),
  data: z.looseObject({
    resultType: z.literal('matrix'),
    result: z.array(z.looseObject({ metric: Labels, values: z.array(SampleValue) })),
  }),
});

/** Prometheus sends numbers as strings ("12", "1.5e+06", "NaN", "+Inf"); null unless finite. */
function finite(text: string): number | null {
  const value = Number(text);
  return text.trim() !== '' && Number.isFinite(value) ? value : null;
}

/** A one-line excerpt of text from the server, for messages. */
function excerpt(text: string): string {
  // Control characters become spaces: the text is the server's, and ends up in menus.
  // eslint-disable-next-line no-control-regex
  const line = text.replace(/[\u0000-\u001f\u007f]+/g, ' ').trim();
  return line.length > 160 ? `${line.slice(0, 159)}…` : line;
}

/** `a=1&b=2` with every value percent-encoded (no URLSearchParams: core runs under GJS too). */
function queryString(params: Record<string, string>): string {
  return Object.entries(params)
    .map(([key, value]) => `${encodeURIComponent(key)}=${encodeURIComponent(value)}`)
    .join('&');
}

/**
 * GETs one API path and parses the body with `schema`. A non-2xx answer carrying Prometheus's error JSON
 * (`{"status":"error","error":"…"}`, e.g. 400 bad_data, 422 execution, 503 timeout) fails with Prometheus's own
 * sentence; other failures are {@link getJson}'s.
 */
async function apiGet<T>(
  ports: Ports,
  connection: PrometheusConnection,
  path: string,
  params: Record<string, string>,
  schema: z.ZodMiniType<T>,
): Promise<PrometheusResult<T>> {
  const base = connection.url.replace(/\/+$/, '');
  const query = queryString(params);
  const headers: Record<string, string> = { Accept: 'application/json' };
  if (connection.authorization) headers.Authorization = connection.authorization;
  const result = await getJson(
    ports,
    { url: `${base}${path}${query ? `?${query}` : ''}`, headers, timeoutMs: connection.timeoutMs },
    SERVICE,
  );
  const host = hostOf(base);
  if (!result.ok) {
    const status = result.failure.status;
    if (result.response && status !== 'unauthorized' && status !== 'rate-limited') {
      const problem = prometheusError(result.response.body);
      if (problem) return { ok: false, failure: { status: 'error', message: problem, fix: '' } };
    }
    if (status === 'offline') {
      const fix = `Check that Prometheus runs at ${base} and that this computer can reach it; Headroom asks again at the next refresh.`;
      return { ok: false, failure: { ...result.failure, fix } };
    }
    return result;
  }
  const problem = prometheusError(result.body);
  if (problem) return { ok: false, failure: { status: 'error', message: problem, fix: '' } };
  const parsed = schema.safeParse(result.body);
  if (!parsed.success) {
    return {
      ok: false,
      failure: {
        status: 'error',
        message: `${host} did not answer like Prometheus's HTTP API (${path}).`,
        fix: 'Check the Prometheus URL: it is the server itself, e.g. http://localhost:9090, not a Grafana page.',
      },
    };
  }
  return { ok: true, data: parsed.data };
}

/** Prometheus's own error sentence from a body, "Prometheus: <error> (<errorType>)"; null when it is no such body. */
function prometheusError(body: unknown): string | null {
  let value = body;
  if (typeof body === 'string') {
    try {
      value = JSON.parse(body) as unknown;
    } catch {
      return null;
    }
  }
  const parsed = ErrorBody.safeParse(value);
  if (!parsed.success) return null;
  const type = parsed.data.errorType ? ` (${excerpt(parsed.data.errorType)})` : '';
  return `Prometheus: ${excerpt(parsed.data.error)}${type}`;
}

/**
 * The metric names the server holds, from `GET /api/v1/label/__name__/values`, narrowed with
 * `match[]={__name__=~".*claude_code.*"}` (servers that ignore the filter send every name; the caller sorts them).
 */
export async function metricNames(ports: Ports, connection: PrometheusConnection): Promise<PrometheusResult<string[]>> {
  const result = await apiGet(
    ports,
    connection,
    '/api/v1/label/__name__/values',
    { 'match[]': '{__name__=~".*claude_code.*"}' },
    LabelValuesBody,
  );
  return result.ok ? { ok: true, data: result.data.data } : result;
}

/** A malformed value in an answer: Prometheus sent something that is no number. */
function nonFinite(query: string): Failure {
  return {
    status: 'error',
    message: `Prometheus answered a query with a value that is not a number (${excerpt(query)}).`,
    fix: '',
  };
}

/** An instant query at `time` (epoch ms): `GET /api/v1/query?query=…&time=…`. */
export async function instantQuery(
  ports: Ports,
  connection: PrometheusConnection,
  query: string,
  time: number,
): Promise<PrometheusResult<InstantSample[]>> {
  const result = await apiGet(ports, connection, '/api/v1/query', { query, time: seconds(time) }, VectorBody);
  if (!result.ok) return result;
  const samples: InstantSample[] = [];
  for (const item of result.data.data.result) {
    const value = finite(item.value[1]);
    if (value === null) return { ok: false, failure: nonFinite(query) };
    samples.push({ labels: item.metric, value });
  }
  return { ok: true, data: samples };
}

/**
 * A range query (`GET /api/v1/query_range?query=…&start=…&end=…&step=…`): `start` and `end` epoch ms, `stepSeconds`
 * seconds.
 */
export async function rangeQuery(
  ports: Ports,
  connection: PrometheusConnection,
  query: string,
  range: { start: number; end: number; stepSeconds: number },
): Promise<PrometheusResult<RangeSeries[]>> {
  const params = { query, start: seconds(range.start), end: seconds(range.end), step: `${range.stepSeconds}` };
  const result = await apiGet(ports, connection, '/api/v1/query_range', params, MatrixBody);
  if (!result.ok) return result;
  const series: RangeSeries[] = [];
  for (const item of result.data.data.result) {
    const points: RangeSeries['points'] = [];
    for (const [t, text] of item.values) {
      const value = finite(text);
      if (value === null) return { ok: false, failure: nonFinite(query) };
      points.push({ t: Math.round(t * 1000), value });
    }
    series.push({ labels: item.metric, points });
  }
  return { ok: true, data: series };
}

/** Epoch ms as the API's decimal Unix seconds, "1796083708.814". */
function seconds(ms: number): string {
  return (ms / 1000).toFixed(3);
}
