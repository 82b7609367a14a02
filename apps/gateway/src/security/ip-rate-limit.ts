import { Injectable, SetMetadata, UseGuards, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AppError } from '#common/errors';
import { Limits, type Limiter } from '#common/limits';
import { ErrorCode } from '#contracts/errors';
import type { FastifyRequest } from 'fastify';
import { GatewayConfig } from '../gateway.config.js';
import { clientNetwork } from './client-network.js';

const SKIP = Symbol('skip-ip-rate-limit');

/**
 * AUTH_RATE_LIMIT requests per minute per client IP, counted per route (a
 * burst of registrations does not spend the login budget). In Redis with
 * REDIS_URL, under `gatehouse:ip:<route>:<ip>`, so every gateway replica
 * counts the same window. The client IP is Fastify's `request.ip`, which
 * honours TRUST_PROXY, counted by its network (`clientNetwork`: IPv4 as it
 * is, IPv6 by its /64). A refusal is 429 RATE_LIMITED with Retry-After.
 */
@Injectable()
export class IpRateLimitGuard implements CanActivate {
  private readonly limiter: Limiter;

  constructor(
    private readonly config: GatewayConfig,
    private readonly reflector: Reflector,
    limits: Limits,
  ) {
    this.limiter = limits.limiter({ name: 'ip', points: Math.max(config.AUTH_RATE_LIMIT, 1), durationSeconds: 60 });
  }

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (this.config.AUTH_RATE_LIMIT === 0) return true;
    if (this.reflector.getAllAndOverride<boolean>(SKIP, [context.getHandler(), context.getClass()])) return true;
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    const route = request.routeOptions.url ?? request.url;
    const { allowed, retryAfterSeconds } = await this.limiter.hit(`${route}:${clientNetwork(request.ip)}`);
    if (!allowed) throw new AppError(ErrorCode.RateLimited, 'Too many requests; slow down', retryAfterSeconds);
    return true;
  }
}

/** Puts a controller's routes, or one route, under the per-IP limit. */
export const IpRateLimited = () => UseGuards(IpRateLimitGuard);

/** Exempts one route of an `@IpRateLimited()` controller. */
export const SkipIpRateLimit = () => SetMetadata(SKIP, true);
