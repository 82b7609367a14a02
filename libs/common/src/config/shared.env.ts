// The mixins made by factories declare their fields' design:type themselves.
import 'reflect-metadata';
import { IsIn, IsOptional, IsString, Matches, ValidateBy } from 'class-validator';
import { natsUrlProblem } from '../transport/nats-url.js';
import { BaseEnv, IntIn, OptionalPort, Port, PostgresUrl } from './base.env.js';

// Variables read by more than one process, or declared alike by every service,
// are declared once here and composed into each app's config class, so their
// names, defaults and rules cannot drift.

type EnvClass<T extends BaseEnv = BaseEnv> = abstract new (...args: any[]) => T;

/** How a mixin made by a factory declares one variable: what a decorated field would. */
interface Variable {
  /** The field's design:type, which loadConfig's implicit conversion reads (TypeScript emits it only for declared fields). */
  type: StringConstructor | NumberConstructor;
  /** Omitted: the variable must be set, as a field without an initialiser. */
  default?: string | number;
  /** The decorators a field would carry, applied in the same way. */
  rules: PropertyDecorator[];
}

/**
 * A mixin that declares variables whose names are made from a prefix, which a
 * class body cannot do; `Vars` is their type. The factories below build on it,
 * so that every service's variables of one kind have the same rules.
 */
function variables<Vars>(declared: Record<string, Variable>) {
  return <B extends EnvClass>(Base: B) => {
    abstract class VariablesEnv extends Base {
      constructor(...args: any[]) {
        super(...args);
        for (const [key, variable] of Object.entries(declared)) {
          if (variable.default !== undefined) Object.assign(this, { [key]: variable.default });
        }
      }
    }
    for (const [key, { type, rules }] of Object.entries(declared)) {
      Reflect.defineMetadata('design:type', type, VariablesEnv.prototype, key);
      for (const rule of rules) rule(VariablesEnv.prototype, key);
    }
    return VariablesEnv as B & EnvClass<BaseEnv & Vars>;
  };
}

/**
 * The mixin for where one app listens and the others reach it: `<NAME>_HOST`,
 * 127.0.0.1 unless the app must be reached from another host, and
 * `<NAME>_PORT`. One factory, so that every endpoint has the same rules.
 */
function endpoint<Name extends string>(name: Name, defaultPort: number) {
  return variables<Record<`${Name}_HOST`, string> & Record<`${Name}_PORT`, number>>({
    [`${name}_HOST`]: { type: String, default: '127.0.0.1', rules: [IsString()] },
    [`${name}_PORT`]: { type: Number, default: defaultPort, rules: [Port()] },
  });
}

/**
 * `<NAME>_METRICS_PORT`: Prometheus metrics over HTTP at /metrics on
 * `<NAME>_HOST`, on a port of their own (never the app's public or TCP port);
 * 0 turns them off.
 */
export function WithMetricsPort<Name extends string>(name: Name, defaultPort: number) {
  return variables<Record<`${Name}_METRICS_PORT`, number>>({
    [`${name}_METRICS_PORT`]: { type: Number, default: defaultPort, rules: [OptionalPort()] },
  });
}

/** `<NAME>_DATABASE_URL`, required: the service's own database; no other service reads it. */
export function WithOwnDatabase<Name extends string>(name: Name) {
  return variables<Record<`${Name}_DATABASE_URL`, string>>({
    [`${name}_DATABASE_URL`]: { type: String, rules: [PostgresUrl()] },
  });
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

    /**
     * The NATS server(s), comma-separated, with credentials if it asks for them
     * (`nats://user:password@host:4222` or `nats://token@host:4222`); read only with TRANSPORT=nats.
     */
    @ValidateBy({
      name: 'natsCredentials',
      validator: { validate: (url: string) => !natsUrlProblem(url), defaultMessage: (args) => natsUrlProblem(String(args?.value)) ?? '' },
    })
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

/** How long the services keep records that no longer do anything, and how often they delete them. */
export function WithPurge<B extends EnvClass>(Base: B) {
  abstract class PurgeEnv extends Base {
    /** Days a spent or expired link, a delivered or dropped mail and an ended session are kept, for the record. */
    @IntIn(1)
    PURGE_AFTER_DAYS: number = 30;

    /** Seconds between two purges (one replica of a service at a time). */
    @IntIn(1)
    PURGE_INTERVAL_S: number = 3_600;
  }
  return PurgeEnv;
}
