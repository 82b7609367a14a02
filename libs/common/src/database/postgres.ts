import type { DataSourceOptions, MixedList, EntitySchema } from 'typeorm';

type Constructor = new (...args: never[]) => unknown;

/**
 * One service's database: migrations only (synchronize stays off), run at
 * start, and a pool that fails fast when PostgreSQL is down so callers get a
 * 503 instead of waiting.
 */
export function postgresOptions(options: {
  url: string;
  application: string;
  entities: MixedList<Constructor | EntitySchema>;
  migrations: Constructor[];
}): DataSourceOptions {
  return {
    type: 'postgres',
    url: options.url,
    applicationName: options.application,
    entities: options.entities,
    migrations: options.migrations,
    migrationsRun: true,
    migrationsTableName: 'migrations',
    synchronize: false,
    extra: { max: 10, connectionTimeoutMillis: 2_000, idleTimeoutMillis: 30_000 },
  };
}
