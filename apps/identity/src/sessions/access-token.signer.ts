import { Injectable } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { ACCESS_TOKEN_ALGORITHM, type AccessClaims } from '#contracts/identity';
import { IdentityConfig } from '../identity.config.js';
import { SigningKeysService } from '../keys/signing-keys.service.js';

export interface SignedAccessToken {
  accessToken: string;
  accessExpire: number;
  refreshAfter: number;
}

@Injectable()
export class AccessTokenSigner {
  constructor(
    private readonly jwt: JwtService,
    private readonly keys: SigningKeysService,
    private readonly config: IdentityConfig,
  ) {}

  sign(userId: string, sessionId: string): SignedAccessToken {
    const { kid, privateKey } = this.keys.activeKey();
    const ttl = this.config.ACCESS_TOKEN_TTL;
    const iat = Math.floor(Date.now() / 1000);
    const exp = iat + ttl;
    const claims: AccessClaims = { sub: userId, sid: sessionId, iat, exp };
    const accessToken = this.jwt.sign(claims, {
      privateKey,
      algorithm: ACCESS_TOKEN_ALGORITHM,
      keyid: kid,
      issuer: this.config.JWT_ISSUER,
      audience: this.config.JWT_AUDIENCE,
    });
    return { accessToken, accessExpire: exp, refreshAfter: iat + Math.floor(ttl / 2) };
  }
}
