import { Controller, Get, Res, ServiceUnavailableException } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { HealthCheck, HealthCheckService, HealthIndicatorService, type HealthCheckResult } from '@nestjs/terminus';
import { AppError } from '#common';
import { ErrorCode, IdentityPatterns, UserPatterns, type ServiceHealth } from '#contracts';
import type { FastifyReply } from 'fastify';
import { IdentityClient, UserClient, type ServiceClient } from '../rpc/service-client.js';

@ApiTags('health')
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly indicators: HealthIndicatorService,
    private readonly users: UserClient,
    private readonly identity: IdentityClient,
  ) {}

  /** 200 when gateway, user, identity and their databases answer; 503 naming what is down. */
  @Get()
  @HealthCheck()
  async check(@Res({ passthrough: true }) reply: FastifyReply): Promise<HealthCheckResult | object> {
    try {
      return await this.health.check([
        () => this.indicators.check('gateway').up(),
        () => this.service('user', this.users, UserPatterns.Health),
        () => this.service('identity', this.identity, IdentityPatterns.Health),
      ]);
    } catch (error) {
      if (!(error instanceof ServiceUnavailableException)) throw error;
      const body = error.getResponse() as HealthCheckResult;
      void reply.status(503);
      const down = Object.keys(body.error ?? {});
      return { statusCode: 503, error: 'Service Unavailable', code: ErrorCode.ServiceUnavailable, message: `Down: ${down.join(', ')}`, ...body };
    }
  }

  private async service(key: string, client: ServiceClient, pattern: string) {
    const indicator = this.indicators.check(key);
    try {
      return indicator.up({ ...(await client.send<ServiceHealth>(pattern, {})) });
    } catch (error) {
      return indicator.down({ message: error instanceof AppError ? String(error.detail) : 'unreachable' });
    }
  }
}
