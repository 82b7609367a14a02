import { Injectable } from '@nestjs/common';
import { AppError } from '#common';
import { ErrorCode } from '#contracts';
import { UserConfig } from '../user.config.js';

interface Window {
  failures: number;
  resetAt: number;
}

/** Above this many tracked accounts, expired windows are swept so memory stays bounded. */
const SWEEP_ABOVE = 10_000;

/**
 * Failed logins per account in a fixed window, so rotating client IPs cannot
 * brute-force one account. Kept in this process: a restart forgets it.
 */
@Injectable()
export class LoginThrottle {
  private readonly windows = new Map<string, Window>();

  constructor(private readonly config: UserConfig) {}

  assertAllowed(account: string, now = Date.now()): void {
    const window = this.current(account, now);
    if (window && window.failures >= this.config.LOGIN_MAX_FAILURES) {
      const retryAfter = Math.max(1, Math.ceil((window.resetAt - now) / 1000));
      throw new AppError(ErrorCode.RateLimited, 'Too many failed logins for this account; try again later', retryAfter);
    }
  }

  recordFailure(account: string, now = Date.now()): void {
    const window = this.current(account, now);
    if (window) {
      window.failures += 1;
      return;
    }
    if (this.windows.size >= SWEEP_ABOVE) this.sweep(now);
    this.windows.set(account, { failures: 1, resetAt: now + this.config.LOGIN_FAILURE_WINDOW_SECONDS * 1000 });
  }

  reset(account: string): void {
    this.windows.delete(account);
  }

  private current(account: string, now: number): Window | undefined {
    const window = this.windows.get(account);
    return window && window.resetAt > now ? window : undefined;
  }

  private sweep(now: number): void {
    for (const [account, window] of this.windows) if (window.resetAt <= now) this.windows.delete(account);
  }
}
