import { performance } from 'node:perf_hooks';
import bcrypt from 'bcrypt';
import { PASSWORD } from './sessions.js';
import { throughput } from './stats.js';
import { THREADPOOL_SIZE } from './threadpool.js';

export interface CeilingResult {
  hashesPerSecond: number;
  rounds: number;
  concurrency: number;
  threads: number;
  measured: number;
  warmupS: number;
  measureS: number;
}

/**
 * The most bcrypt hashes per second this machine does with the same library
 * at the same cost: twice as many hashes in flight as libuv has threads, so
 * no thread ever waits for work, for a fixed time. Run it with nothing else
 * busy. Hashes still running when the time is up are left to finish unseen.
 */
export async function measureBcryptCeiling(options: { rounds: number; warmupS: number; measureS: number }): Promise<CeilingResult> {
  const { rounds, warmupS, measureS } = options;
  const concurrency = 2 * THREADPOOL_SIZE;
  const totalMs = (warmupS + measureS) * 1000;
  const ends: number[] = [];
  const start = performance.now();
  let stopped = false;

  const hashForever = async (): Promise<void> => {
    while (!stopped) {
      await bcrypt.hash(PASSWORD, rounds);
      ends.push(performance.now() - start);
    }
  };
  for (let i = 0; i < concurrency; i++) void hashForever();
  await new Promise((resolve) => setTimeout(resolve, totalMs));
  stopped = true;

  const { perSecond, count } = throughput(ends, warmupS * 1000, totalMs);
  return { hashesPerSecond: perSecond, rounds, concurrency, threads: THREADPOOL_SIZE, measured: count, warmupS, measureS };
}

/**
 * Every measure of a run, taken before and after each bcrypt-bound scenario.
 * Their mean is the table's summary row; a scenario's yardstick is the mean
 * of the two beside it (`ceilingBeside`), or this one in a --quick run (a
 * single measure) and in reports from before 2026-12-02.
 */
export interface Ceiling {
  hashesPerSecond: number;
  rounds: number;
  concurrency: number;
  threads: number;
  runs: CeilingResult[];
}

export function combineCeilings(runs: CeilingResult[]): Ceiling {
  const [first] = runs;
  return {
    hashesPerSecond: runs.reduce((sum, run) => sum + run.hashesPerSecond, 0) / runs.length,
    rounds: first.rounds,
    concurrency: first.concurrency,
    threads: first.threads,
    runs,
  };
}
