// The burst scenarios: many clients at once, as after a launch or a marketing
// mail. Each client is a polite one: it sends its next request as soon as the
// last is answered, and after a 503 it waits the Retry-After it was given
// (what browsers' fetch wrappers and mobile SDKs do). autocannon cannot wait
// per connection, so these loops use fetch.
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { percentile } from './stats.js';

export interface BurstResult {
  name: string;
  connections: number;
  seconds: number;
  /** Successes (the `success` status) per second of the burst. */
  goodputPerSecond: number;
  successes: number;
  /** Every answer, by `status code` (code from the error body). */
  statuses: Record<string, number>;
  /** Non-2xx answers that were neither a 409 nor a 503 with Retry-After. */
  unexpected: number;
  /** Socket or fetch failures. */
  failures: number;
  /** Latency of the successes. */
  latencyMs: { p50: number; p99: number };
  /** The mean of the ceilings measured just before and just after it, its yardstick (hashes/s). */
  ceilingBeside?: number;
  /** Register only: accounts that exist although their client never got a 201 (and 201s with no account). */
  orphans?: number;
  missing?: number;
}

interface Attempt {
  path: string;
  body: unknown;
  /** Kept with a success, so the caller can tell which attempt it was. */
  key: string;
}

const RETRY_AFTER_CAP_S = 5;

export async function runBurst(options: {
  name: string;
  url: string;
  connections: number;
  seconds: number;
  success: number;
  next: (client: number, n: number) => Attempt;
  signal?: AbortSignal;
}): Promise<{ result: BurstResult; succeeded: Set<string> }> {
  const { name, url, connections, seconds, success, next, signal } = options;
  const statuses: Record<string, number> = {};
  const succeeded = new Set<string>();
  const latencies: number[] = [];
  let unexpected = 0;
  let failures = 0;
  let inWindow = 0;
  const started = performance.now();
  const until = started + seconds * 1000;

  const client = async (index: number) => {
    for (let n = 0; performance.now() < until && !signal?.aborted; n++) {
      const attempt = next(index, n);
      const sent = performance.now();
      let status: number;
      let code = '';
      let retryAfter: string | null;
      try {
        const res = await fetch(url + attempt.path, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(attempt.body),
        });
        status = res.status;
        retryAfter = res.headers.get('retry-after');
        const text = await res.text();
        if (status >= 400) code = (JSON.parse(text) as { code?: string }).code ?? '';
      } catch {
        failures += 1;
        continue;
      }
      const done = performance.now();
      const key = `${status}${code ? ` ${code}` : ''}`;
      statuses[key] = (statuses[key] ?? 0) + 1;
      if (status === success) {
        succeeded.add(attempt.key);
        latencies.push(done - sent);
        if (done <= until) inWindow += 1;
      } else if (status === 503 && retryAfter !== null && Number(retryAfter) >= 1) {
        await sleep(Math.min(Number(retryAfter), RETRY_AFTER_CAP_S) * 1000);
      } else if (status !== 409) {
        unexpected += 1;
      }
    }
  };
  await Promise.all(Array.from({ length: connections }, (_, i) => client(i)));
  latencies.sort((a, b) => a - b);
  return {
    succeeded,
    result: {
      name,
      connections,
      seconds,
      goodputPerSecond: inWindow / seconds,
      successes: succeeded.size,
      statuses,
      unexpected,
      failures,
      latencyMs: { p50: percentile(latencies, 50), p99: percentile(latencies, 99) },
    },
  };
}

/**
 * Accounts the database holds under `prefix`, against the usernames whose
 * registration answered 201: an orphan is an account its client was told was
 * not made. Counted once every request in flight has finished or given up.
 */
export async function countOrphans(
  databaseUrl: string,
  prefix: string,
  registered: Set<string>,
): Promise<{ orphans: number; missing: number }> {
  const db = new pg.Client({ connectionString: databaseUrl });
  await db.connect();
  try {
    const { rows } = await db.query<{ username: string }>('SELECT username FROM users WHERE username LIKE $1', [`${prefix}%`]);
    const existing = new Set(rows.map((row) => row.username));
    return {
      orphans: [...existing].filter((name) => !registered.has(name)).length,
      missing: [...registered].filter((name) => !existing.has(name)).length,
    };
  } finally {
    await db.end();
  }
}
