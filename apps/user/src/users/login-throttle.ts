import { Injectable } from '@nestjs/common';
import { AppError } from '#common/errors';
import { Limits, type Limiter } from '#common/limits';
import { ErrorCode } from '#contracts/errors';
import { UserConfig } from '../user.config.js';

/**
 * Failed logins per account in a fixed window from the first failure, so
 * rotating client IPs cannot brute-force one account. Counted in Redis with
 * REDIS_URL (every replica sees the same count), else in this process.
 * Checked before any bcrypt work; concurrent attempts that all pass the check
 * before any of them fails may overshoot the limit by the attempts in flight.
 */
@Injectable()
export class LoginThrottle {
  private readonly failures: Limiter;

  constructor(
    private readonly config: UserConfig,
    limits: Limits,
  ) {
    this.failures = limits.limiter({
      name: 'login',
      points: config.LOGIN_MAX_FAILURES,
      durationSeconds: config.LOGIN_FAILURE_WINDOW_SECONDS,
    });
  }

  async assertAllowed(account: string): Promise<void> {
    const { used, retryAfterSeconds } = await this.failures.state(account);
    if (used >= this.config.LOGIN_MAX_FAILURES) {
      throw new AppError(ErrorCode.RateLimited, 'Too many failed logins for this account; try again later', retryAfterSeconds);
    }
  }

  recordFailure(account: string): Promise<void> {
    return this.failures.add(account);
  }

  reset(account: string): Promise<void> {
    return this.failures.clear(account);
  }
}
