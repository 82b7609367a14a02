import {
  BaseEnv,
  IntIn,
  WithIdentityEndpoint,
  WithMetricsPort,
  WithOwnDatabase,
  WithPurge,
  WithRefreshTokenTtl,
  WithTokenAudience,
  WithTransport,
} from '#common/config';
import { IsString, ValidateIf } from 'class-validator';
import { IsSigningKeyFile } from './keys/signing-key-file.js';

export class IdentityConfig extends WithPurge(
  WithTransport(
    WithRefreshTokenTtl(WithTokenAudience(WithOwnDatabase('IDENTITY')(WithMetricsPort('IDENTITY', 9102)(WithIdentityEndpoint(BaseEnv))))),
  ),
) {
  /** Access token life in seconds. */
  @IntIn(1)
  ACCESS_TOKEN_TTL: number = 900;

  /**
   * PEM file of the ES256 (P-256) signing key. Without it, development and
   * tests generate one and keep it in the identity database; production
   * refuses to start.
   */
  @ValidateIf((env: IdentityConfig) => env.isProduction || env.JWT_PRIVATE_KEY_FILE !== undefined)
  @IsString({ message: 'JWT_PRIVATE_KEY_FILE must name a PEM file of the ES256 signing key when NODE_ENV=production' })
  @IsSigningKeyFile()
  JWT_PRIVATE_KEY_FILE?: string;
}
