import { jest } from '@jest/globals';
import { AppError } from '#common/errors';
import { Limits } from '#common/limits';
import type { UserConfig } from '../user.config.js';
import { LoginThrottle } from './login-throttle.js';

const config = { LOGIN_MAX_FAILURES: 3, LOGIN_FAILURE_WINDOW_SECONDS: 60 } as UserConfig;

async function rejection(throttle: LoginThrottle, account: string): Promise<AppError | undefined> {
  return throttle.assertAllowed(account).then(
    () => undefined,
    (error: unknown) => error as AppError,
  );
}

describe('LoginThrottle (in memory, without REDIS_URL)', () => {
  beforeEach(() => jest.useFakeTimers({ now: 1_000 }));
  afterEach(() => jest.useRealTimers());

  it('allows failures up to the limit, then refuses that account with 429 and Retry-After', async () => {
    const throttle = new LoginThrottle(config, Limits.inMemory());
    for (let i = 0; i < 3; i++) {
      expect(await rejection(throttle, 'alice')).toBeUndefined();
      await throttle.recordFailure('alice');
    }
    jest.setSystemTime(11_000);
    const error = await rejection(throttle, 'alice');
    expect(error).toBeInstanceOf(AppError);
    expect(error).toMatchObject({ status: 429, code: 'RATE_LIMITED', retryAfter: 50 });
    expect(await rejection(throttle, 'bob')).toBeUndefined();
  });

  it('forgets failures when the window ends', async () => {
    const throttle = new LoginThrottle(config, Limits.inMemory());
    for (let i = 0; i < 3; i++) await throttle.recordFailure('alice');
    jest.advanceTimersByTime(59_999);
    expect(await rejection(throttle, 'alice')).toBeDefined();
    jest.advanceTimersByTime(1);
    expect(await rejection(throttle, 'alice')).toBeUndefined();
  });

  it('starts over after a success', async () => {
    const throttle = new LoginThrottle(config, Limits.inMemory());
    for (let i = 0; i < 3; i++) await throttle.recordFailure('alice');
    await throttle.reset('alice');
    expect(await rejection(throttle, 'alice')).toBeUndefined();
  });

  it('counts in the one limiter its process shares, not one per instance', async () => {
    const limits = Limits.inMemory();
    const [first, second] = [new LoginThrottle(config, limits), new LoginThrottle(config, limits)];
    for (let i = 0; i < 3; i++) await (i % 2 ? first : second).recordFailure('alice');
    expect(await rejection(first, 'alice')).toMatchObject({ code: 'RATE_LIMITED' });
  });
});
