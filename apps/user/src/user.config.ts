import {
  BaseEnv,
  IntIn,
  WithMailEndpoint,
  WithMetricsPort,
  WithOwnDatabase,
  WithPurge,
  WithRedis,
  WithTransport,
  WithUserEndpoint,
} from '#common/config';

export class UserConfig extends WithPurge(
  WithRedis(WithTransport(WithMailEndpoint(WithOwnDatabase('USER')(WithMetricsPort('USER', 9101)(WithUserEndpoint(BaseEnv)))))),
) {
  /** bcrypt cost: each step doubles the work of a hash. */
  @IntIn(4, 17)
  BCRYPT_ROUNDS: number = 12;

  /** libuv's thread pool size, which Node reads itself; bcrypt may occupy all its threads but one. */
  @IntIn(1, 1024)
  UV_THREADPOOL_SIZE: number = 4;

  /** Failed logins one account may have within the window before it gets 429. */
  @IntIn(1)
  LOGIN_MAX_FAILURES: number = 10;

  @IntIn(1)
  LOGIN_FAILURE_WINDOW_SECONDS: number = 900;

  /** Verification resends, and reset mails, one account may be sent per kind and hour; 0 turns the limit off. */
  @IntIn(0)
  ACCOUNT_MAIL_LIMIT: number = 5;

  /** Life of an email verification link, in seconds. */
  @IntIn(60)
  EMAIL_VERIFICATION_TTL: number = 86_400;

  /** Life of a password reset link, in seconds. */
  @IntIn(60)
  PASSWORD_RESET_TTL: number = 1_800;

  /** How long the outbox relay waits for the mail service (which waits for the SMTP server) per mail. */
  @IntIn(100)
  MAIL_TIMEOUT_MS: number = 15_000;

  /** How often the outbox relay looks for due mails (a new one is sent at once by the request that wrote it). */
  @IntIn(50)
  OUTBOX_POLL_MS: number = 1_000;

  /** Longest wait between two delivery attempts of one mail (the backoff doubles from 1 s up to this). */
  @IntIn(100)
  OUTBOX_MAX_BACKOFF_MS: number = 60_000;
}
