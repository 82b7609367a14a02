import { performance } from 'node:perf_hooks';
import { totalCpuSeconds } from './cpu.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The CPU the processes use between them over `ms`, in cores (0.5 = half of one core). */
export async function cpuShare(pids: number[], ms: number): Promise<number> {
  const before = await totalCpuSeconds(pids);
  const start = performance.now();
  await sleep(ms);
  return ((await totalCpuSeconds(pids)) - before) / ((performance.now() - start) / 1000);
}

/**
 * Waits until the given processes are idle again: using at most `idleShare`
 * (what they use when nothing happens, e.g. a profiler's sampling) plus a
 * tenth of a core between them over an interval. A run ends with requests
 * still in flight (bcrypt-bound ones take seconds); this keeps their work out
 * of the next measurement. Gives up after `timeoutMs`. Returns how long it waited.
 */
export async function settle(
  pids: number[],
  options: { idleShare?: number; intervalMs?: number; timeoutMs?: number } = {},
): Promise<number> {
  const { idleShare = 0, intervalMs = 200, timeoutMs = 8_000 } = options;
  const start = performance.now();
  let before = await totalCpuSeconds(pids);
  while (performance.now() - start < timeoutMs) {
    const tick = performance.now();
    await sleep(intervalMs);
    const now = await totalCpuSeconds(pids);
    if ((now - before) / ((performance.now() - tick) / 1000) <= idleShare + 0.1) break;
    before = now;
  }
  return performance.now() - start;
}
