import { Limits } from '#common/limits';
import type { UserConfig } from '../user.config.js';
import { AccountMailThrottle } from './account-mail-throttle.js';

const throttle = (limit: number) => new AccountMailThrottle({ ACCOUNT_MAIL_LIMIT: limit } as UserConfig, Limits.inMemory());

async function allowed(mails: AccountMailThrottle, kind: 'email_verification' | 'password_reset', userId: string, times: number) {
  const answers: boolean[] = [];
  for (let i = 0; i < times; i++) answers.push((await mails.hit(kind, userId)).allowed);
  return answers;
}

describe('AccountMailThrottle (in memory, without REDIS_URL)', () => {
  it('allows ACCOUNT_MAIL_LIMIT mails per account and kind, then refuses for the rest of the hour', async () => {
    const mails = throttle(2);
    expect(await allowed(mails, 'password_reset', 'alice', 3)).toEqual([true, true, false]);
    expect((await mails.hit('password_reset', 'alice')).retryAfterSeconds).toBeGreaterThan(3500);
    expect(await allowed(mails, 'email_verification', 'alice', 2)).toEqual([true, true]);
    expect(await allowed(mails, 'password_reset', 'bob', 1)).toEqual([true]);
  });

  it('never refuses with ACCOUNT_MAIL_LIMIT=0', async () => {
    expect(await allowed(throttle(0), 'password_reset', 'alice', 20)).not.toContain(false);
  });
});
