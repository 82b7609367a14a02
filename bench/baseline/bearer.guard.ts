import { Injectable, UnauthorizedException, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import type { FastifyRequest } from 'fastify';
import { ACCESS_TOKEN_PATTERN } from '../yardstick-env.js';

export type AuthenticatedRequest = FastifyRequest & { userId: string };

/** The gateway's check: a bearer JWT, ES256 only, `iss`, `aud` and a mandatory `exp`. */
@Injectable()
export class BearerGuard implements CanActivate {
  constructor(private readonly jwt: JwtService) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const token = ACCESS_TOKEN_PATTERN.exec(request.headers.authorization ?? '')?.[1];
    if (!token) throw new UnauthorizedException();
    let claims: { sub?: unknown; sid?: unknown; exp?: unknown };
    try {
      claims = await this.jwt.verifyAsync(token);
    } catch {
      throw new UnauthorizedException();
    }
    if (typeof claims.exp !== 'number' || typeof claims.sub !== 'string' || typeof claims.sid !== 'string')
      throw new UnauthorizedException();
    request.userId = claims.sub;
    return true;
  }
}
