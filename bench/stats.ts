/**
 * Throughput over a window, counted from one completion to another.
 *
 * Counting completions in a fixed window is coarse when requests take long
 * and finish in bunches (bcrypt: the threadpool's jobs start and end
 * together, so ~4 completions land at once every second): the window's edges
 * decide whether a bunch is in or out. Here the window starts at the last
 * completion at or before `fromMs` (or at the run's start if there was none)
 * and ends at the last completion at or before `toMs`, so it spans whole
 * periods. For short requests this equals completions ÷ window length.
 *
 * `ends` are completion times in ms since the run started, ascending.
 */
export function throughput(ends: readonly number[], fromMs: number, toMs: number): { perSecond: number; count: number; spanMs: number } {
  let start = 0;
  let last = fromMs;
  let count = 0;
  for (const end of ends) {
    if (end <= fromMs) start = end;
    else if (end <= toMs) {
      count += 1;
      last = end;
    }
  }
  const spanMs = last - start;
  return { perSecond: count === 0 || spanMs <= 0 ? 0 : count / (spanMs / 1000), count, spanMs };
}

/** Nearest-rank percentile of ascending values; NaN when there are none. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1];
}

export function mean(values: readonly number[]): number {
  return values.length === 0 ? Number.NaN : values.reduce((sum, value) => sum + value, 0) / values.length;
}
