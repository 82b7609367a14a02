import { BaseEnv, Port } from '#common';
import { IsInt, IsString, Matches, Max, Min } from 'class-validator';

export class GatewayConfig extends BaseEnv {
  /** The public HTTP entry; set 0.0.0.0 to listen on every interface (the compose file does). */
  @IsString()
  GATEWAY_HOST: string = '127.0.0.1';

  @Port()
  GATEWAY_PORT: number = 3000;

  @IsString()
  USER_HOST: string = '127.0.0.1';

  @Port()
  USER_PORT: number = 3001;

  @IsString()
  IDENTITY_HOST: string = '127.0.0.1';

  @Port()
  IDENTITY_PORT: number = 3002;

  /** Longest wait for one TCP reply before answering 504. */
  @IsInt()
  @Min(50)
  @Max(120_000)
  RPC_TIMEOUT_MS: number = 5000;

  /** Requests per minute per client IP to /register, /login and /refresh; 0 turns the limit off. */
  @IsInt()
  @Min(0)
  AUTH_RATE_LIMIT: number = 60;

  /** Largest JSON body accepted; larger ones get 413. */
  @IsInt()
  @Min(256)
  BODY_LIMIT_BYTES: number = 8192;

  /**
   * Whether X-Forwarded-For names the client: `false` (default), `true`, or a
   * comma-separated list of the trusted proxies' addresses/CIDRs.
   */
  @Matches(/^(true|false|[0-9a-fA-F.:/, ]+)$/, { message: 'TRUST_PROXY must be true, false or a list of proxy addresses' })
  TRUST_PROXY: string = 'false';

  @IsString()
  JWT_ISSUER: string = 'gatehouse';

  @IsString()
  JWT_AUDIENCE: string = 'gatehouse';

  /** In the form Fastify's `trustProxy` takes. */
  get trustProxy(): boolean | string {
    if (this.TRUST_PROXY === 'true' || this.TRUST_PROXY === 'false') return this.TRUST_PROXY === 'true';
    return this.TRUST_PROXY;
  }
}
