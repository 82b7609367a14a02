import { Injectable } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { AppError } from '#common';
import type { AccessClaims } from '#contracts';

/**
 * The gateway's check without its memory of verified tokens: a bearer JWT,
 * ES256 only, `iss`, `aud` and a mandatory `exp`, verified on every request,
 * as a plain one-process app would. It stands in for the gateway's
 * AccessTokenVerifier behind the gateway's own AccessTokenGuard.
 */
@Injectable()
export class PerRequestVerifier {
  constructor(private readonly jwt: JwtService) {}

  async verify(token: string): Promise<AccessClaims> {
    let claims: Partial<AccessClaims>;
    try {
      claims = await this.jwt.verifyAsync<AccessClaims>(token);
    } catch {
      throw AppError.unauthorized('Invalid or expired access token');
    }
    if (typeof claims.exp !== 'number' || typeof claims.sub !== 'string' || typeof claims.sid !== 'string')
      throw AppError.unauthorized('Invalid access token claims');
    return claims as AccessClaims;
  }
}
