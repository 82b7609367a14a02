import { Logger } from '@nestjs/common';
import { DataSource, type DataSourceOptions, type EntityManager, type QueryRunner } from 'typeorm';

/** Lock names; PostgreSQL keys advisory locks by number, so each name is hashed with `hashtext`. */
export const MIGRATIONS_LOCK = 'gatehouse:migrations';
export const SIGNING_KEY_LOCK = 'gatehouse:signing-key';
export const PURGE_LOCK = 'gatehouse:purge';

/**
 * Runs `work` while holding a session-level PostgreSQL advisory lock, on a
 * connection of its own. Replicas starting together on one database queue here
 * one at a time instead of racing; the lock dies with the session, so a
 * replica killed while holding it does not block the others.
 */
export async function withAdvisoryLock<T>(dataSource: DataSource, name: string, work: () => Promise<T>): Promise<T> {
  return (await holdingLock(dataSource, name, true, work)) as T;
}

/**
 * The same without waiting: `work` runs on the lock's own connection only if
 * no other session holds the lock; otherwise the answer is undefined.
 */
export function tryWithAdvisoryLock<T>(
  dataSource: DataSource,
  name: string,
  work: (runner: QueryRunner) => Promise<T>,
): Promise<T | undefined> {
  return holdingLock(dataSource, name, false, work);
}

async function holdingLock<T>(
  dataSource: DataSource,
  name: string,
  wait: boolean,
  work: (runner: QueryRunner) => Promise<T>,
): Promise<T | undefined> {
  const runner = dataSource.createQueryRunner();
  await runner.connect();
  try {
    if (wait) await runner.query('SELECT pg_advisory_lock(hashtext($1))', [name]);
    else {
      const [{ locked }]: [{ locked: boolean }] = await runner.query('SELECT pg_try_advisory_lock(hashtext($1)) AS locked', [name]);
      if (!locked) return undefined;
    }
    try {
      return await work(runner);
    } finally {
      await runner.query('SELECT pg_advisory_unlock(hashtext($1))', [name]);
    }
  } finally {
    await runner.release();
  }
}

/** The same inside a transaction: the lock is released at commit or rollback. */
export async function lockInTransaction(manager: EntityManager, name: string): Promise<void> {
  await manager.query('SELECT pg_advisory_xact_lock(hashtext($1))', [name]);
}

/** Applies pending migrations under the migrations lock; returns how many this process applied. */
export async function runMigrationsLocked(dataSource: DataSource): Promise<number> {
  const applied = await withAdvisoryLock(dataSource, MIGRATIONS_LOCK, () => dataSource.runMigrations({ transaction: 'each' }));
  if (applied.length > 0) new Logger('migrations').log(`applied ${applied.length} migration(s): ${applied.map((m) => m.name).join(', ')}`);
  return applied.length;
}

/**
 * TypeOrmModule's `dataSourceFactory`: connect, then migrate under the lock,
 * so of several replicas starting at once exactly one applies each migration
 * and the others find them applied.
 */
export async function migratedDataSource(options: DataSourceOptions | undefined): Promise<DataSource> {
  const dataSource = await new DataSource(options!).initialize();
  try {
    await runMigrationsLocked(dataSource);
  } catch (error) {
    await dataSource.destroy();
    throw error;
  }
  return dataSource;
}
