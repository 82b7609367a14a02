import { Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { AppError } from '#common';
import type { AccessClaims } from '#contracts';
import type { FastifyRequest } from 'fastify';

export type AuthenticatedRequest = FastifyRequest & { auth: AccessClaims };

/**
 * Verifies the bearer token locally: signature with identity's public key,
 * ES256 only, `iss`, `aud` and a mandatory `exp`. Any doubt is a 401.
 */
@Injectable()
export class AccessTokenGuard implements CanActivate {
  constructor(private readonly jwt: JwtService) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const token = /^Bearer ([\w-]+\.[\w-]+\.[\w-]*)$/.exec(request.headers.authorization ?? '')?.[1];
    if (!token) throw AppError.unauthorized('Missing or malformed bearer token');
    request.auth = await this.verify(token);
    return true;
  }

  private async verify(token: string): Promise<AccessClaims> {
    let claims: Partial<AccessClaims>;
    try {
      claims = await this.jwt.verifyAsync<AccessClaims>(token);
    } catch (error) {
      // An AppError here is identity being unreachable for the key fetch: a 503, not the client's fault.
      if (error instanceof AppError) throw error;
      throw AppError.unauthorized('Invalid or expired access token');
    }
    if (typeof claims.exp !== 'number' || typeof claims.sub !== 'string' || typeof claims.sid !== 'string') {
      throw AppError.unauthorized('Invalid access token claims');
    }
    return claims as AccessClaims;
  }
}
