// What only a service with a database needs, so that the gateway does not
// load TypeORM (about 6 MB of its heap).
export * from './postgres.js';
export * from './advisory-lock.js';
export * from './service-database.js';
export * from './columns.js';
export * from './database-health.js';
export * from './purge.js';
