import type { DynamicModule } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { migratedDataSource } from './advisory-lock.js';
import type { PostgresOptions } from './postgres.js';

/**
 * A service's own database, for its root module's imports: the connection,
 * migrated at start under the migrations lock, and a repository for each entity
 * of the options, so that the entities are listed once.
 */
export function serviceDatabase(options: PostgresOptions): DynamicModule[] {
  return [
    TypeOrmModule.forRootAsync({ useFactory: () => options, dataSourceFactory: migratedDataSource }),
    TypeOrmModule.forFeature(options.entities),
  ];
}
