import { Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { Counter } from 'prom-client';
import type { DataSource } from 'typeorm';
import { reasonOf } from '../errors/reason.js';
import { PURGE_LOCK, tryWithAdvisoryLock } from './advisory-lock.js';

/** One kind of row a service no longer needs. */
export interface PurgeRule {
  /** Names the rows in the log and in `purged_rows_total`. */
  name: string;
  /** Deletes at most $1 rows done with for more than $2 seconds; `params` follow from $3. */
  sql: string;
  params?: unknown[];
}

/** Rows per DELETE: short statements, so no lock is held for long. */
const BATCH = 1_000;

const purgedRows = new Counter({ name: 'purged_rows_total', help: 'Rows deleted by the periodic purge, by kind', labelNames: ['rows'] });

/**
 * Deletes what no longer does anything (spent links, delivered mails, ended
 * sessions) once it is older than PURGE_AFTER_DAYS, every PURGE_INTERVAL_S,
 * so that tables grow with the users and not with time. Replicas take turns:
 * a round runs only where it gets the advisory lock, and is skipped elsewhere.
 */
export class Purge implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('Purge');
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<unknown> | undefined;
  private stopped = false;

  constructor(
    private readonly dataSource: DataSource,
    private readonly rules: PurgeRule[],
    private readonly config: { PURGE_AFTER_DAYS: number; PURGE_INTERVAL_S: number },
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => this.tick(), this.config.PURGE_INTERVAL_S * 1000);
    this.timer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    await this.running;
  }

  /** One round: what it deleted of each kind, or undefined when another replica was purging. */
  run(): Promise<Record<string, number> | undefined> {
    const keepSeconds = this.config.PURGE_AFTER_DAYS * 86_400;
    return tryWithAdvisoryLock(this.dataSource, PURGE_LOCK, async (runner) => {
      const deleted: Record<string, number> = {};
      for (const { name, sql, params = [] } of this.rules) {
        let batch: number;
        deleted[name] = 0;
        do {
          batch = (await runner.query(sql, [BATCH, keepSeconds, ...params], true)).affected ?? 0;
          deleted[name] += batch;
        } while (batch === BATCH && !this.stopped);
        purgedRows.inc({ rows: name }, deleted[name]);
      }
      const done = Object.entries(deleted).filter(([, count]) => count > 0);
      if (done.length > 0) this.logger.log(`purged ${done.map(([name, count]) => `${count} ${name}`).join(', ')}`);
      return deleted;
    });
  }

  private tick(): void {
    if (this.running || this.stopped) return;
    this.running = this.run()
      .catch((error: unknown) => this.logger.warn(`Purge failed: ${reasonOf(error)}`))
      .finally(() => (this.running = undefined));
  }
}
