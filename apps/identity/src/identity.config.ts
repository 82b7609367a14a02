import { BaseEnv, OptionalPort, Port } from '#common';
import { IsInt, IsString, Matches, Min, ValidateIf } from 'class-validator';
import { IsSigningKeyFile } from './keys/signing-key-file.js';

export class IdentityConfig extends BaseEnv {
  /** Where this service listens; 127.0.0.1 unless it must be reached from another host. */
  @IsString()
  IDENTITY_HOST: string = '127.0.0.1';

  @Port()
  IDENTITY_PORT: number = 3002;

  /** Prometheus metrics over HTTP at /metrics on IDENTITY_HOST; 0 turns them off. */
  @OptionalPort()
  IDENTITY_METRICS_PORT: number = 9102;

  /** This service's own database; no other service reads it. */
  @Matches(/^postgres(ql)?:\/\/.+/, { message: 'IDENTITY_DATABASE_URL must be set to a postgres:// connection string' })
  IDENTITY_DATABASE_URL: string;

  /** Access token life in seconds. */
  @IsInt()
  @Min(1)
  ACCESS_TOKEN_TTL: number = 900;

  /** Refresh token life in seconds; each refresh issues a new one with a full life. */
  @IsInt()
  @Min(60)
  REFRESH_TOKEN_TTL: number = 2_592_000;

  @IsString()
  JWT_ISSUER: string = 'gatehouse';

  @IsString()
  JWT_AUDIENCE: string = 'gatehouse';

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
