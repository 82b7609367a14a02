// The endpoint mixins declare their fields' design:type themselves.
import 'reflect-metadata';
import { IsIn, IsOptional, IsString, Matches } from 'class-validator';
import { BaseEnv, IntIn, Port } from './base.env.js';

// Variables read by more than one process are declared once here and composed
// into each app's config class, so their names, defaults and rules cannot drift.

type EnvClass<T extends BaseEnv = BaseEnv> = abstract new (...args: any[]) => T;

/** `<NAME>_HOST` and `<NAME>_PORT`, as an endpoint mixin declares them. */
type EndpointVars<Name extends string> = Record<`${Name}_HOST`, string> & Record<`${Name}_PORT`, number>;

/**
 * The mixin for where one app listens and the others reach it: `<NAME>_HOST`,
 * 127.0.0.1 unless the app must be reached from another host, and
 * `<NAME>_PORT`. One factory, so that every endpoint has the same rules.
 */
function endpoint<Name extends string>(name: Name, defaultPort: number) {
  const host = `${name}_HOST`;
  const port = `${name}_PORT`;
  return <B extends EnvClass>(Base: B) => {
    abstract class EndpointEnv extends Base {
      constructor(...args: any[]) {
        super(...args);
        Object.assign(this, { [host]: '127.0.0.1', [port]: defaultPort });
      }
    }
    // loadConfig's implicit conversion reads design:type, which TypeScript emits only for declared fields.
    Reflect.defineMetadata('design:type', String, EndpointEnv.prototype, host);
    Reflect.defineMetadata('design:type', Number, EndpointEnv.prototype, port);
    IsString()(EndpointEnv.prototype, host);
    Port()(EndpointEnv.prototype, port);
    return EndpointEnv as B & EnvClass<BaseEnv & EndpointVars<Name>>;
  };
}

/**
 * Where the gateway listens; the launcher and tests read it too. GATEWAY_HOST is
 * the public HTTP entry: set 0.0.0.0 to listen on every interface (the compose file does).
 */
export const WithGatewayEndpoint = endpoint('GATEWAY', 3000);

/** Where the user service listens, and where the gateway reaches it. */
export const WithUserEndpoint = endpoint('USER', 3001);

/** Where the identity service listens, and where the gateway reaches it. */
export const WithIdentityEndpoint = endpoint('IDENTITY', 3002);

/** Where the mail service listens, and where the user service's outbox relay reaches it. */
export const WithMailEndpoint = endpoint('MAIL', 3003);

/** What identity writes into access tokens and the gateway demands of them. */
export function WithTokenAudience<B extends EnvClass>(Base: B) {
  abstract class TokenAudienceEnv extends Base {
    @IsString()
    JWT_ISSUER: string = 'gatehouse';

    @IsString()
    JWT_AUDIENCE: string = 'gatehouse';
  }
  return TokenAudienceEnv;
}

/** Identity gives refresh tokens this life; the gateway's refresh cookie lives as long. */
export function WithRefreshTokenTtl<B extends EnvClass>(Base: B) {
  abstract class RefreshTokenTtlEnv extends Base {
    /** Refresh token life in seconds; each refresh issues a new one with a full life. */
    @IntIn(60)
    REFRESH_TOKEN_TTL: number = 2_592_000;
  }
  return RefreshTokenTtlEnv;
}

/** How the apps reach each other: TCP point to point, or NATS with queue groups (replicas). */
export function WithTransport<B extends EnvClass>(Base: B) {
  abstract class TransportEnv extends Base {
    /** `tcp` (default) or `nats`; every app of one system must agree. Replicas need `nats`. */
    @IsIn(['tcp', 'nats'])
    TRANSPORT: 'tcp' | 'nats' = 'tcp';

    /** The NATS server(s), comma-separated; read only with TRANSPORT=nats. */
    @Matches(/^(nats|tls):\/\/[^,\s]+(,\s*(nats|tls):\/\/[^,\s]+)*$/, {
      message: 'NATS_URL must be one or more nats:// URLs, comma-separated',
    })
    NATS_URL: string = 'nats://127.0.0.1:4222';
  }
  return TransportEnv;
}

/** Where the per-IP and per-account limits are counted when there are replicas to share them. */
export function WithRedis<B extends EnvClass>(Base: B) {
  abstract class RedisEnv extends Base {
    /**
     * `redis://` or `rediss://` (TLS) URL, with credentials and database if needed.
     * Unset: each process counts its limits in its own memory. While Redis is
     * unreachable, each process falls back to its own memory until it is back.
     */
    @IsOptional()
    @Matches(/^rediss?:\/\/\S+$/, { message: 'REDIS_URL must be a redis:// or rediss:// URL' })
    REDIS_URL?: string;
  }
  return RedisEnv;
}
