import { Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import { LimitStore } from './limit-store.js';
import { fallbackCounter } from './limits-metrics.js';

export interface LimitOptions {
  /** Names the limit in metrics, and its keys in Redis: `gatehouse:<name>:<key>`. */
  name: string;
  /** Hits allowed per key in one window. */
  points: number;
  /** The window, fixed from a key's first hit. */
  durationSeconds: number;
}

export interface LimitState {
  /** Hits counted in the current window (0 when there is none). */
  used: number;
  /** Seconds until the window ends, at least 1: the `Retry-After` of a refusal. */
  retryAfterSeconds: number;
}

/** rate-limiter-flexible's in-memory limiter, counting how often it stands in for Redis. */
class FallbackMemory extends RateLimiterMemory {
  constructor(
    options: ConstructorParameters<typeof RateLimiterMemory>[0],
    private readonly used: () => void,
  ) {
    super(options);
  }

  override consume(...args: Parameters<RateLimiterMemory['consume']>): Promise<RateLimiterRes> {
    this.used();
    return super.consume(...args);
  }

  override penalty(...args: Parameters<RateLimiterMemory['penalty']>): Promise<RateLimiterRes> {
    this.used();
    return super.penalty(...args);
  }

  override get(...args: Parameters<RateLimiterMemory['get']>): Promise<RateLimiterRes | null> {
    this.used();
    return super.get(...args);
  }

  override delete(...args: Parameters<RateLimiterMemory['delete']>): Promise<boolean> {
    this.used();
    return super.delete(...args);
  }
}

const seconds = (ms: number) => Math.max(1, Math.ceil(ms / 1000));

/**
 * One fixed-window limit. In Redis when the process has a store, so every
 * replica counts the same keys; while Redis is unreachable, rate-limiter-flexible's
 * insurance limiter counts in this process's memory instead (neither open nor
 * closed: each process enforces the limit on what it sees). No method rejects
 * for a store failure, so a limit never turns a request into a 500.
 */
export class Limiter {
  private readonly limiter: RateLimiterAbstract;
  private readonly logger = new Logger('Limits');

  constructor(
    readonly options: LimitOptions,
    store?: LimitStore,
  ) {
    const memory = { points: options.points, duration: options.durationSeconds, keyPrefix: `gatehouse:${options.name}` };
    if (!store) {
      this.limiter = new RateLimiterMemory(memory);
      return;
    }
    const fallbacks = fallbackCounter();
    this.limiter = new RateLimiterRedis({
      ...memory,
      storeClient: store.client,
      rejectIfRedisNotReady: true,
      insuranceLimiter: new FallbackMemory(memory, () => fallbacks.inc({ limit: options.name })),
    });
  }

  /** Counts one hit for `key`; `allowed` is false once the window holds more than `points`. */
  async hit(key: string): Promise<LimitState & { allowed: boolean }> {
    try {
      const res = await this.limiter.consume(key);
      return { allowed: true, used: res.consumedPoints, retryAfterSeconds: seconds(res.msBeforeNext) };
    } catch (rejection) {
      if (rejection instanceof RateLimiterRes) {
        return { allowed: false, used: rejection.consumedPoints, retryAfterSeconds: seconds(rejection.msBeforeNext) };
      }
      return { allowed: true, ...this.unknown(rejection) };
    }
  }

  /** What `key` has used in its window, without counting a hit. */
  async state(key: string): Promise<LimitState> {
    try {
      const res = await this.limiter.get(key);
      return res ? { used: res.consumedPoints, retryAfterSeconds: seconds(res.msBeforeNext) } : { used: 0, retryAfterSeconds: 1 };
    } catch (error) {
      return this.unknown(error);
    }
  }

  /** Counts one hit for `key` without ever refusing. */
  async add(key: string): Promise<void> {
    await this.limiter.penalty(key).catch((error: unknown) => this.unknown(error));
  }

  /** Forgets `key`'s window. */
  async clear(key: string): Promise<void> {
    await this.limiter.delete(key).catch((error: unknown) => this.unknown(error));
  }

  /** Reached only if the insurance limiter itself failed: allow, and say so. */
  private unknown(error: unknown): LimitState {
    this.logger.error(`limit ${this.options.name} could not be checked: ${String(error)}`);
    return { used: 0, retryAfterSeconds: 1 };
  }
}

/**
 * The limits of one process: in Redis when `REDIS_URL` is set, else in memory.
 * One `Limiter` per name, so every guard or service asking for a limit shares its counts.
 */
@Injectable()
export class Limits implements OnApplicationShutdown {
  private readonly limiters = new Map<string, Limiter>();

  private constructor(readonly store: LimitStore | undefined) {}

  /** Connects to `redisUrl` (waiting at most about a second for it) or, without one, counts in memory. */
  static async connect(redisUrl: string | undefined): Promise<Limits> {
    if (!redisUrl) return new Limits(undefined);
    const store = new LimitStore(redisUrl);
    await store.firstAttempt();
    return new Limits(store);
  }

  static inMemory(): Limits {
    return new Limits(undefined);
  }

  limiter(options: LimitOptions): Limiter {
    let limiter = this.limiters.get(options.name);
    if (!limiter) {
      limiter = new Limiter(options, this.store);
      this.limiters.set(options.name, limiter);
    }
    return limiter;
  }

  onApplicationShutdown(): void {
    this.store?.close();
  }
}
