import pg, { type Pool, type QueryConfig, type QueryResult, type QueryResultRow } from 'pg';
import { AppError } from '../errors/app-error.js';
import type { DataSource, DataSourceOptions, EntitySchema } from 'typeorm';
import type { PostgresDriver } from 'typeorm/driver/postgres/PostgresDriver.js';

type Constructor = new (...args: never[]) => unknown;
type Entity = Constructor | EntitySchema;

/** One service's database options; its entities a plain list, so that its module can register a repository for each. */
export type PostgresOptions = DataSourceOptions & { entities: Entity[] };

/** Connections per service process; the session-write queue is sized by it. */
export const POOL_SIZE = 10;

/**
 * One service's database: migrations only (synchronize stays off), run at
 * start under an advisory lock (see migratedDataSource), and a pool that fails fast when PostgreSQL is down so callers get a
 * 503 instead of waiting.
 */
export function postgresOptions(options: {
  url: string;
  application: string;
  entities: Entity[];
  migrations: Constructor[];
}): PostgresOptions {
  return {
    type: 'postgres',
    url: options.url,
    applicationName: options.application,
    entities: options.entities,
    migrations: options.migrations,
    // Run at start by migratedDataSource, under an advisory lock (replicas may start together).
    migrationsRun: false,
    migrationsTableName: 'migrations',
    synchronize: false,
    extra: { max: POOL_SIZE, connectionTimeoutMillis: 2_000, idleTimeoutMillis: 30_000 },
  };
}

/**
 * The driver's own pool under a TypeORM data source, for the few hot
 * statements that go straight to it: no query runner checked out and released
 * around them, and named statements that PostgreSQL plans once per connection.
 */
export function driverPool(dataSource: DataSource): Pool {
  return (dataSource.driver as PostgresDriver).master as Pool;
}

/**
 * One statement, sent only once a pooled connection is in hand and `inTime`
 * still passes: a statement that waited for a free connection past its
 * deadline would commit work whose caller has been told it failed.
 */
export async function queryInTime<R extends QueryResultRow>(pool: Pool, inTime: () => void, query: QueryConfig): Promise<QueryResult<R>> {
  const client = await pool.connect();
  // Where pool.query would have one: a connection that fails mid-query emits 'error' on its client.
  let broken: Error | undefined;
  const onError = (error: Error) => (broken = error);
  client.once('error', onError);
  try {
    inTime();
    return await client.query<R>(query);
  } catch (error) {
    // A refusal before sending, or a statement PostgreSQL refused, leaves the connection fit for reuse.
    if (!(error instanceof pg.DatabaseError) && !(error instanceof AppError)) broken ??= error as Error;
    throw error;
  } finally {
    client.removeListener('error', onError);
    client.release(broken);
  }
}
