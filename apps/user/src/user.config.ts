import { BaseEnv, OptionalPort, PostgresUrl, WithMailEndpoint, WithRedis, WithTransport, WithUserEndpoint } from '#common';
import { IsInt, Max, Min } from 'class-validator';

export class UserConfig extends WithRedis(WithTransport(WithMailEndpoint(WithUserEndpoint(BaseEnv)))) {
  /** Prometheus metrics over HTTP at /metrics on USER_HOST; 0 turns them off. */
  @OptionalPort()
  USER_METRICS_PORT: number = 9101;

  /** This service's own database; no other service reads it. */
  @PostgresUrl()
  USER_DATABASE_URL: string;

  /** bcrypt cost: each step doubles the work of a hash. */
  @IsInt()
  @Min(4)
  @Max(17)
  BCRYPT_ROUNDS: number = 12;

  /** libuv's thread pool size, which Node reads itself; bcrypt may occupy all its threads but one. */
  @IsInt()
  @Min(1)
  @Max(1024)
  UV_THREADPOOL_SIZE: number = 4;

  /** Failed logins one account may have within the window before it gets 429. */
  @IsInt()
  @Min(1)
  LOGIN_MAX_FAILURES: number = 10;

  @IsInt()
  @Min(1)
  LOGIN_FAILURE_WINDOW_SECONDS: number = 900;

  /** Life of an email verification link, in seconds. */
  @IsInt()
  @Min(60)
  EMAIL_VERIFICATION_TTL: number = 86_400;

  /** Life of a password reset link, in seconds. */
  @IsInt()
  @Min(60)
  PASSWORD_RESET_TTL: number = 1_800;

  /** How long the outbox relay waits for the mail service (which waits for the SMTP server) per mail. */
  @IsInt()
  @Min(100)
  MAIL_TIMEOUT_MS: number = 15_000;

  /** How often the outbox relay looks for due mails (it is also woken by each new one). */
  @IsInt()
  @Min(50)
  OUTBOX_POLL_MS: number = 1_000;

  /** Longest wait between two delivery attempts of one mail (the backoff doubles from 1 s up to this). */
  @IsInt()
  @Min(100)
  OUTBOX_MAX_BACKOFF_MS: number = 60_000;
}
