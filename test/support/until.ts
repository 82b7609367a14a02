import { setTimeout as sleep } from 'node:timers/promises';

/** Polls `probe` until it gives a truthy value, and returns it; fails, naming `what`, after `ms`. */
export async function until<T>(what: string, probe: () => T | Promise<T>, ms = 30_000): Promise<NonNullable<T>> {
  for (const end = Date.now() + ms; Date.now() < end; await sleep(100)) {
    const value = await probe();
    if (value) return value;
  }
  throw new Error(`timed out waiting for ${what}`);
}
