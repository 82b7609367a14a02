import { Injectable } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import type { AccessClaims } from '#contracts/identity';
import { verifyAccessToken } from '../../apps/gateway/src/auth/access-token.verifier.js';

/**
 * The gateway's check without its memory of verified tokens: every token is
 * verified afresh, as a plain one-process app would. It stands in for the
 * gateway's AccessTokenVerifier behind the gateway's own AccessTokenGuard.
 */
@Injectable()
export class PerRequestVerifier {
  constructor(private readonly jwt: JwtService) {}

  verify(token: string): Promise<AccessClaims> {
    return verifyAccessToken(this.jwt, token);
  }
}
