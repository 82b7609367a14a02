import type { Provider } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { AppError } from '#common/errors';
import { ACCESS_TOKEN_ALGORITHM } from '#contracts/identity';
import { GatewayConfig } from '../gateway.config.js';
import { PublicKeysCache } from './public-keys.cache.js';

function kidOf(token: string): string | undefined {
  try {
    const header = JSON.parse(Buffer.from(token.split('.')[0], 'base64url').toString('utf8')) as { kid?: unknown };
    return typeof header.kid === 'string' ? header.kid : undefined;
  } catch {
    return undefined;
  }
}

/** A JwtService that can only verify (no private key here) and picks the key by the token's `kid`. */
export const JwtVerifierProvider: Provider = {
  provide: JwtService,
  inject: [PublicKeysCache, GatewayConfig],
  useFactory: (keys: PublicKeysCache, config: GatewayConfig) =>
    new JwtService({
      secretOrKeyProvider: async (_type, token) => {
        const kid = kidOf(String(token));
        const key = kid === undefined ? undefined : await keys.get(kid);
        if (!key) throw AppError.unauthorized('Access token signed by an unknown key');
        return key;
      },
      verifyOptions: {
        algorithms: [ACCESS_TOKEN_ALGORITHM],
        issuer: config.JWT_ISSUER,
        audience: config.JWT_AUDIENCE,
        clockTolerance: config.JWT_CLOCK_TOLERANCE_S,
      },
    }),
};
