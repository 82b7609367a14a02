import { Injectable } from '@nestjs/common';
import { Limits, type Limiter } from '#common/limits';
import type { MailKind } from '#contracts/mail';
import { UserConfig } from '../user.config.js';

const HOUR_S = 3600;

/**
 * Mails one account may be sent on request (a verification resend, a password
 * reset) per kind and hour, so that nobody can flood an inbox, or the outbox,
 * through the routes that need no password. Counted like the failed-login
 * limit: in Redis with REDIS_URL, else in this process.
 */
@Injectable()
export class AccountMailThrottle {
  private readonly sent: Limiter | undefined;

  constructor(config: UserConfig, limits: Limits) {
    const points = config.ACCOUNT_MAIL_LIMIT;
    this.sent = points === 0 ? undefined : limits.limiter({ name: 'account-mail', points, durationSeconds: HOUR_S });
  }

  /** Counts one mail of `kind` to the account; `allowed` is false once its hour holds ACCOUNT_MAIL_LIMIT. */
  async hit(kind: MailKind, userId: string): Promise<{ allowed: boolean; retryAfterSeconds: number }> {
    if (!this.sent) return { allowed: true, retryAfterSeconds: 0 };
    const { allowed, retryAfterSeconds } = await this.sent.hit(`${kind}:${userId}`);
    return { allowed, retryAfterSeconds };
  }
}
