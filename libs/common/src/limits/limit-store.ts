import { Logger } from '@nestjs/common';
import { Redis } from 'ioredis';
import { storeUpGauge } from './limits-metrics.js';

/** Longest a limit check waits for Redis before the in-memory fallback answers instead. */
const COMMAND_TIMEOUT_MS = 500;
const CONNECT_TIMEOUT_MS = 1_000;
/**
 * The Redis connection the limits count in, set up so that no request waits
 * on it: no offline queue (a command while disconnected fails at once),
 * short connect and command timeouts, reconnects forever in the background.
 * An outage is logged once when it starts and once when it ends, never per request.
 */
export class LimitStore {
  readonly client: Redis;
  private readonly logger = new Logger('Limits');
  private readonly up = storeUpGauge();
  /** Whether an outage is in progress (and so has been logged). */
  private down = false;
  private closing = false;

  constructor(url: string) {
    this.client = new Redis(url, {
      enableOfflineQueue: false,
      connectTimeout: CONNECT_TIMEOUT_MS,
      commandTimeout: COMMAND_TIMEOUT_MS,
      maxRetriesPerRequest: 1,
      disconnectTimeout: 200,
      retryStrategy: (attempt) => Math.min(attempt * 200, 2_000),
    });
    this.up.set(0);
    this.client.on('ready', () => this.recovered());
    this.client.on('error', (error: Error) => this.lost(error.message));
    this.client.on('close', () => this.lost('connection closed'));
  }

  get ready(): boolean {
    return this.client.status === 'ready';
  }

  /**
   * Resolves once the first connection attempt has succeeded or failed, so a
   * process that becomes ready with Redis up counts in Redis from its first request.
   */
  async firstAttempt(): Promise<void> {
    if (this.ready) return;
    await new Promise<void>((resolve) => {
      const done = () => {
        this.client.off('ready', done).off('error', done);
        clearTimeout(timer);
        resolve();
      };
      const timer = setTimeout(done, CONNECT_TIMEOUT_MS + 200);
      this.client.once('ready', done).once('error', done);
    });
  }

  close(): void {
    this.closing = true;
    this.client.disconnect();
  }

  private lost(reason: string): void {
    if (this.down || this.closing) return;
    this.down = true;
    this.up.set(0);
    const { host, port } = this.client.options;
    this.logger.warn(
      `Redis at ${host}:${port} is unreachable (${reason}): each process now counts its limits in its own memory until Redis is back`,
    );
  }

  private recovered(): void {
    this.up.set(1);
    if (!this.down) return;
    this.down = false;
    this.logger.log('Redis is reachable again: limits are shared through it again');
  }
}
