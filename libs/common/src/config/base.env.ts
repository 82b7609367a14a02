import { Transform } from 'class-transformer';
import { IsBoolean, IsIn, IsInt, IsString, Matches, Max, Min, ValidateIf } from 'class-validator';

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'verbose'] as const;
export type LogLevelName = (typeof LOG_LEVELS)[number];

/** Variables every app reads. Each app's config class extends this one. */
export class BaseEnv {
  /** `production` refuses every built-in default secret or key. */
  @IsIn(['development', 'production', 'test'])
  NODE_ENV: 'development' | 'production' | 'test' = 'development';

  @IsIn(LOG_LEVELS)
  LOG_LEVEL: LogLevelName = 'info';

  /** `pretty` for people, `json` for machines; the default follows whether stdout is a terminal. */
  @IsIn(['json', 'pretty'])
  LOG_FORMAT: 'json' | 'pretty' = process.stdout.isTTY ? 'pretty' : 'json';

  /** Largest TCP frame a peer may send, in characters (the transport counts characters). */
  @IntIn(1024)
  TCP_MAX_BUFFER_SIZE: number = 1024 * 1024;

  /** A peer that stops mid-frame for this long is disconnected. */
  @IntIn(100)
  TCP_INCOMPLETE_MESSAGE_TIMEOUT_MS: number = 10_000;

  /** Mutual TLS between the gateway and the services: PEM file paths, all three or none. */
  @ValidateIf((env: BaseEnv) => Boolean(env.TCP_TLS_CA || env.TCP_TLS_CERT || env.TCP_TLS_KEY))
  @IsString({ message: 'TCP_TLS_CA, TCP_TLS_CERT and TCP_TLS_KEY must be set together' })
  TCP_TLS_CA?: string;

  @ValidateIf((env: BaseEnv) => Boolean(env.TCP_TLS_CA || env.TCP_TLS_KEY))
  @IsString({ message: 'TCP_TLS_CA, TCP_TLS_CERT and TCP_TLS_KEY must be set together' })
  TCP_TLS_CERT?: string;

  @ValidateIf((env: BaseEnv) => Boolean(env.TCP_TLS_CA || env.TCP_TLS_CERT))
  @IsString({ message: 'TCP_TLS_CA, TCP_TLS_CERT and TCP_TLS_KEY must be set together' })
  TCP_TLS_KEY?: string;

  get isProduction(): boolean {
    return this.NODE_ENV === 'production';
  }
}

/** Ports are integers in 1–65535; 0 is refused so a typo cannot pick a random port. */
export function Port(): PropertyDecorator {
  return portIn(1);
}

/** A port for something that can be switched off: 0 turns it off. */
export function OptionalPort(): PropertyDecorator {
  return portIn(0);
}

function portIn(lowest: number): PropertyDecorator {
  return (target, key) => {
    IsInt()(target, key);
    Min(lowest)(target, key);
    Max(65535)(target, key);
  };
}

/**
 * A whole number of at least `min`, and at most `max` where there is one:
 * counts, sizes, durations. The rules run in the order they did as
 * `@IsInt() @Min(min) @Max(max)` on the field (the lowest decorator first), so
 * that a bad value is reported with the same message.
 */
export function IntIn(min: number, max?: number): PropertyDecorator {
  return (target, key) => {
    if (max !== undefined) Max(max)(target, key);
    Min(min)(target, key);
    IsInt()(target, key);
  };
}

/** A PostgreSQL connection string. */
export function PostgresUrl(): PropertyDecorator {
  return Matches(/^postgres(ql)?:\/\/.+/, { message: '$property must be set to a postgres:// connection string' });
}

/** An SMTP server, credentials in the URL if it needs them: `smtps://user:pass@host:465`. */
export function SmtpUrl(): PropertyDecorator {
  return Matches(/^smtps?:\/\/[^\s/]+(\/\S*)?$/, { message: '$property must be set to an smtp:// or smtps:// URL' });
}

/** An absolute http(s) URL, e.g. where people open the links in mails. */
export function HttpUrl(): PropertyDecorator {
  return Matches(/^https?:\/\/[^\s/]+(\/\S*)?$/, { message: '$property must be an http:// or https:// URL' });
}

/** `true` or `false`. Implicit conversion alone would read the string "false" as true. */
export function Flag(): PropertyDecorator {
  return (target, key) => {
    Transform(({ obj }: { obj: Record<string | symbol, unknown> }) => {
      const value = obj[key];
      return value === 'true' ? true : value === 'false' ? false : value;
    })(target, key);
    IsBoolean({ message: `${String(key)} must be true or false` })(target, key);
  };
}
