import { BaseEnv, OptionalPort, PostgresUrl, WithTransport, WithUserEndpoint } from '#common';
import { IsInt, Max, Min } from 'class-validator';

export class UserConfig extends WithTransport(WithUserEndpoint(BaseEnv)) {
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
}
