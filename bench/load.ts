import { performance } from 'node:perf_hooks';
import autocannon from 'autocannon';
import { mean, percentile, throughput } from './stats.js';

export interface LoadSpec {
  name: string;
  url: string;
  connections: number;
  warmupS: number;
  measureS: number;
  /** The sequence each connection loops over. */
  requests: autocannon.Request[];
}

/** What one autocannon run leaves: the measured window's numbers and every error. */
export interface Run {
  warmupS: number;
  measureS: number;
  /** Completions counted for throughput, and the time they span (see `throughput`). */
  counted: number;
  spanMs: number;
  /** Latencies of the responses completing in the measured window. */
  latencies: number[];
  /** Every response, warm-up included. */
  responses: number;
  errors: ErrorCounts;
}

export interface ErrorCounts {
  non2xx: number;
  socket: number;
  byStatus: Record<string, number>;
  bySocketError: Record<string, number>;
  /** A few non-2xx bodies, to say what went wrong. */
  samples: string[];
}

export interface LoadResult {
  name: string;
  url: string;
  connections: number;
  /** Runs this result merges: several when the scenario was measured in rounds, interleaved with others. */
  rounds: Array<{ warmupS: number; measureS: number }>;
  requestsPerSecond: number;
  /** Responses that completed inside the measured windows. */
  measured: number;
  latencyMs: { p50: number; p97_5: number; p99: number; mean: number; max: number };
  /** Over the whole runs, warm-ups included. */
  errors: ErrorCounts & { total: number };
  /** Every response, warm-ups included. */
  responses: number;
  /** bcrypt-bound scenarios: the mean of the ceilings measured just before and just after it, its yardstick (hashes/s). */
  ceilingBeside?: number;
  /** CPU time per response of each process over the whole runs (filled in by the caller, which knows the processes). */
  cpuMsPerRequest?: Record<string, number>;
}

/**
 * One autocannon run of warm-up + measure seconds. The connections stay open
 * across both phases (so per-connection state such as refresh-token chains
 * carries on); only responses completing after the warm-up are measured.
 */
export async function runOnce(spec: LoadSpec, signal?: AbortSignal): Promise<Run> {
  const ends: number[] = [];
  const latencies: number[] = [];
  const errors: ErrorCounts = { non2xx: 0, socket: 0, byStatus: {}, bySocketError: {}, samples: [] };

  const requests = spec.requests.map((request): autocannon.Request => ({
    ...request,
    onResponse: (status, body, context, headers) => {
      if ((status < 200 || status > 299) && errors.samples.length < 5) errors.samples.push(`${status} ${body.slice(0, 300)}`);
      request.onResponse?.(status, body, context, headers);
    },
  }));

  const start = performance.now();
  const instance = autocannon({
    url: spec.url,
    connections: spec.connections,
    duration: spec.warmupS + spec.measureS,
    // autocannon stops on its first sample tick after `duration`: tick often so it overshoots little.
    sampleInt: 100,
    timeout: 10,
    requests,
  });
  const stop = () => instance.stop();
  signal?.addEventListener('abort', stop);

  instance.on('response', (_client: unknown, status: number, _bytes: number, latencyMs: number) => {
    ends.push(performance.now() - start);
    latencies.push(latencyMs);
    if (status < 200 || status > 299) {
      errors.non2xx += 1;
      errors.byStatus[status] = (errors.byStatus[status] ?? 0) + 1;
    }
  });
  instance.on('reqError', (error: Error) => {
    errors.socket += 1;
    errors.bySocketError[error.message] = (errors.bySocketError[error.message] ?? 0) + 1;
  });

  try {
    await instance;
  } finally {
    signal?.removeEventListener('abort', stop);
  }

  const fromMs = spec.warmupS * 1000;
  const toMs = fromMs + spec.measureS * 1000;
  const { count, spanMs } = throughput(ends, fromMs, toMs);
  return {
    warmupS: spec.warmupS,
    measureS: spec.measureS,
    counted: count,
    spanMs,
    latencies: latencies.filter((_, i) => ends[i] > fromMs && ends[i] <= toMs),
    responses: ends.length,
    errors,
  };
}

/** One result from one or more runs of the same scenario: throughput over their summed spans, percentiles over all. */
export function summarize(spec: Pick<LoadSpec, 'name' | 'url' | 'connections'>, runs: Run[]): LoadResult {
  const latencies = runs.flatMap((run) => run.latencies).sort((a, b) => a - b);
  const counted = runs.reduce((sum, run) => sum + run.counted, 0);
  const spanMs = runs.reduce((sum, run) => sum + run.spanMs, 0);
  const sum = (pick: (errors: ErrorCounts) => number) => runs.reduce((total, run) => total + pick(run.errors), 0);
  const merge = (pick: (errors: ErrorCounts) => Record<string, number>) => {
    const merged: Record<string, number> = {};
    for (const run of runs) for (const [key, count] of Object.entries(pick(run.errors))) merged[key] = (merged[key] ?? 0) + count;
    return merged;
  };
  const non2xx = sum((errors) => errors.non2xx);
  const socket = sum((errors) => errors.socket);
  return {
    name: spec.name,
    url: spec.url,
    connections: spec.connections,
    rounds: runs.map(({ warmupS, measureS }) => ({ warmupS, measureS })),
    requestsPerSecond: spanMs > 0 ? counted / (spanMs / 1000) : 0,
    measured: latencies.length,
    latencyMs: {
      p50: percentile(latencies, 50),
      p97_5: percentile(latencies, 97.5),
      p99: percentile(latencies, 99),
      mean: mean(latencies),
      max: latencies.at(-1) ?? Number.NaN,
    },
    errors: {
      total: non2xx + socket,
      non2xx,
      socket,
      byStatus: merge((errors) => errors.byStatus),
      bySocketError: merge((errors) => errors.bySocketError),
      samples: runs.flatMap((run) => run.errors.samples).slice(0, 5),
    },
    responses: runs.reduce((total, run) => total + run.responses, 0),
  };
}
