import { ErrorCode, type ServiceHealth } from '#contracts';
import type { DataSource } from 'typeorm';
import { AppError } from '../errors/app-error.js';

/** A service is healthy when its database answers and every migration has run. */
export async function checkDatabase(dataSource: DataSource): Promise<ServiceHealth> {
  try {
    await dataSource.query('SELECT 1');
  } catch {
    throw new AppError(503, ErrorCode.ServiceUnavailable, 'database unreachable');
  }
  if (await dataSource.showMigrations()) {
    throw new AppError(503, ErrorCode.ServiceUnavailable, 'migrations pending');
  }
  return { database: 'up', migrations: 'applied' };
}
