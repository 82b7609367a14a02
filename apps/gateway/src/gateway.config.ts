import {
  BaseEnv,
  Flag,
  IntIn,
  WithGatewayEndpoint,
  WithIdentityEndpoint,
  WithMetricsPort,
  WithRedis,
  WithRefreshTokenTtl,
  WithTransport,
  WithTokenAudience,
  WithUserEndpoint,
} from '#common/config';
import { Matches } from 'class-validator';

/** A comma-separated list of origins (`scheme://host[:port]`, no path), or empty. */
const ORIGIN_LIST = /^$|^\s*https?:\/\/[^\s/,]+\s*(,\s*https?:\/\/[^\s/,]+\s*)*$/;

export class GatewayConfig extends WithRedis(
  WithTransport(
    WithRefreshTokenTtl(
      WithTokenAudience(WithIdentityEndpoint(WithUserEndpoint(WithMetricsPort('GATEWAY', 9100)(WithGatewayEndpoint(BaseEnv))))),
    ),
  ),
) {
  /** Longest wait for one TCP reply before answering 504. */
  @IntIn(50, 120_000)
  RPC_TIMEOUT_MS: number = 5000;

  /**
   * Seconds identity's clock may be ahead of the gateway's: an access token is
   * taken until `exp` plus this (0: refused at `exp`, as the contract has it).
   */
  @IntIn(0, 300)
  JWT_CLOCK_TOLERANCE_S: number = 0;

  /** Requests per minute per client IP to /register, /login and /refresh; 0 turns the limit off. */
  @IntIn(0)
  AUTH_RATE_LIMIT: number = 60;

  /** Largest JSON body accepted; larger ones get 413. */
  @IntIn(256)
  BODY_LIMIT_BYTES: number = 8192;

  /**
   * Whether X-Forwarded-For names the client: `false` (default); a
   * comma-separated list of the trusted proxies' addresses/CIDRs (the safe
   * choice: only those peers are believed); a hop count, `1` for exactly one
   * proxy in front (its entry, the last one, is the client); or `true`, every
   * entry believed, so the client is the first one, which the client itself
   * wrote unless the proxy overwrites the header.
   */
  @Matches(/^(true|false|\d+|[0-9a-fA-F.:/, ]+)$/, {
    message: 'TRUST_PROXY must be true, false, a hop count or a list of proxy addresses',
  })
  TRUST_PROXY: string = 'false';

  /**
   * Browser origins allowed to call the API cross-origin, with credentials
   * (e.g. `https://app.example.com,http://localhost:5173`). Empty: none.
   */
  @Matches(ORIGIN_LIST, { message: 'CORS_ORIGINS must be a comma-separated list of origins like https://app.example.com' })
  CORS_ORIGINS: string = '';

  /**
   * Cookie mode for browsers: register, login and refresh put the refresh
   * token in an HttpOnly cookie instead of the body; /refresh and /logout read it.
   */
  @Flag()
  REFRESH_COOKIE: boolean = false;

  /** Swagger UI at /docs and the OpenAPI document at /docs-json. */
  @Flag()
  DOCS_ENABLED: boolean = true;

  get corsOrigins(): string[] {
    return this.CORS_ORIGINS.split(',')
      .map((origin) => origin.trim())
      .filter(Boolean);
  }

  /** In the form Fastify's `trustProxy` takes. */
  get trustProxy(): boolean | string | ((address: string, hop: number) => boolean) {
    if (this.TRUST_PROXY === 'true' || this.TRUST_PROXY === 'false') return this.TRUST_PROXY === 'true';
    if (/^\d+$/.test(this.TRUST_PROXY)) {
      // As a function: Fastify 5 takes a number but trusts no hop at all for it (it cannot check the peer's address).
      const hops = Number(this.TRUST_PROXY);
      return hops === 0 ? false : (_address, hop) => hop < hops;
    }
    return this.TRUST_PROXY;
  }
}
