import { Controller, Get, Res, ServiceUnavailableException } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { HealthCheck, HealthCheckService, HealthIndicatorService, type HealthCheckResult } from '@nestjs/terminus';
import { AppError } from '#common/errors';
import { ErrorCode } from '#contracts/errors';
import type { ServiceHealth } from '#contracts/health';
import { IdentityPatterns } from '#contracts/identity';
import { UserPatterns } from '#contracts/user';
import type { FastifyReply } from 'fastify';
import { errorBody } from '../errors/error-body.js';
import { IdentityClient, UserClient } from '../rpc/clients.js';
import { TransportProbe } from '../rpc/transport-probe.js';

@ApiTags('health')
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly indicators: HealthIndicatorService,
    private readonly users: UserClient,
    private readonly identity: IdentityClient,
    private readonly transport: TransportProbe,
  ) {}

  /** 200 when gateway, user, identity and their databases (and, under TRANSPORT=nats, the NATS server) answer; 503 naming what is down. */
  @Get()
  @HealthCheck()
  async check(@Res({ passthrough: true }) reply: FastifyReply): Promise<HealthCheckResult | object> {
    try {
      return await this.health.check([
        () => this.indicators.check('gateway').up(),
        ...(this.transport.transport === 'nats' ? [() => this.nats()] : []),
        () => this.service('user', () => this.users.send(UserPatterns.Health, {})),
        () => this.service('identity', () => this.identity.send(IdentityPatterns.Health, {})),
      ]);
    } catch (error) {
      if (!(error instanceof ServiceUnavailableException)) throw error;
      const body = error.getResponse() as HealthCheckResult;
      void reply.status(503);
      const down = Object.keys(body.error ?? {});
      return { ...errorBody(new AppError(ErrorCode.ServiceUnavailable, `Down: ${down.join(', ')}`)), ...body };
    }
  }

  private async nats() {
    const indicator = this.indicators.check('nats');
    try {
      // Up or down only: /health is public, and which server the gateway talks to is nobody's business outside.
      await this.transport.check();
      return indicator.up();
    } catch {
      return indicator.down({ message: 'the NATS server does not answer' });
    }
  }

  private async service(key: string, check: () => Promise<ServiceHealth>) {
    const indicator = this.indicators.check(key);
    try {
      return indicator.up({ ...(await check()) });
    } catch (error) {
      return indicator.down({ message: error instanceof AppError ? String(error.detail) : 'unreachable' });
    }
  }
}
