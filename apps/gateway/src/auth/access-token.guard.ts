import { Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { AppError } from '#common/errors';
import type { AccessClaims } from '#contracts/identity';
import type { FastifyRequest } from 'fastify';
import { AccessTokenVerifier } from './access-token.verifier.js';
import { bearerTokenOf } from './bearer.js';

export type AuthenticatedRequest = FastifyRequest & { auth: AccessClaims };

/** A route for signed-in users: a valid bearer access token, or 401. */
@Injectable()
export class AccessTokenGuard implements CanActivate {
  constructor(private readonly verifier: AccessTokenVerifier) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const token = bearerTokenOf(request.headers.authorization);
    if (!token) throw AppError.unauthorized('Missing or malformed bearer token');
    request.auth = await this.verifier.verify(token);
    return true;
  }
}
