/**
 * When `npm start` restarts an app that exited on its own: after a backoff
 * that doubles with each crash (from `firstDelayMs` up to `maxDelayMs`), unless
 * it crashed `maxCrashes` times within `windowMs`, which is a crash loop: then
 * the launcher stops everything rather than spin.
 */
export class RestartPolicy {
  private readonly crashes = new Map<string, number[]>();

  constructor(private readonly options = { firstDelayMs: 500, maxDelayMs: 10_000, maxCrashes: 5, windowMs: 60_000 }) {}

  /** Records a crash of `instance` at `now`: the delay before restarting it, or `undefined` for a crash loop. */
  onCrash(instance: string, now = Date.now()): number | undefined {
    const { firstDelayMs, maxDelayMs, maxCrashes, windowMs } = this.options;
    const recent = [...(this.crashes.get(instance) ?? []).filter((at) => now - at < windowMs), now];
    this.crashes.set(instance, recent);
    if (recent.length >= maxCrashes) return undefined;
    return Math.min(maxDelayMs, firstDelayMs * 2 ** (recent.length - 1));
  }

  describeLoop(instance: string): string {
    return `${instance} crashed ${this.options.maxCrashes} times within ${this.options.windowMs / 1000} s`;
  }
}
