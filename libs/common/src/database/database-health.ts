import { ErrorCode } from '#contracts/errors';
import type { ServiceHealth } from '#contracts/health';
import { Controller, type Type } from '@nestjs/common';
import { MessagePattern } from '@nestjs/microservices';
import { DataSource } from 'typeorm';
import { AppError } from '../errors/app-error.js';

/** A service is healthy when its database answers and every migration has run. */
export async function checkDatabase(dataSource: DataSource): Promise<ServiceHealth> {
  try {
    await dataSource.query('SELECT 1');
  } catch {
    throw new AppError(ErrorCode.ServiceUnavailable, 'database unreachable');
  }
  if (await dataSource.showMigrations()) {
    throw new AppError(ErrorCode.ServiceUnavailable, 'migrations pending');
  }
  return { database: 'up', migrations: 'applied' };
}

/** A service's health pattern (`user.health`, `identity.health`): its database answers and its migrations have run. */
export function DatabaseHealthController(pattern: string): Type<unknown> {
  @Controller()
  class HealthController {
    constructor(private readonly dataSource: DataSource) {}

    @MessagePattern(pattern)
    check(): Promise<ServiceHealth> {
      return checkDatabase(this.dataSource);
    }
  }
  return HealthController;
}
