import { AppError } from '#common';
import type { UserConfig } from '../user.config.js';
import { LoginThrottle } from './login-throttle.js';

const config = { LOGIN_MAX_FAILURES: 3, LOGIN_FAILURE_WINDOW_SECONDS: 60 } as UserConfig;

function rejection(throttle: LoginThrottle, account: string, now: number): AppError | undefined {
  try {
    throttle.assertAllowed(account, now);
    return undefined;
  } catch (error) {
    return error as AppError;
  }
}

describe('LoginThrottle', () => {
  it('allows failures up to the limit, then refuses that account with 429 and Retry-After', () => {
    const throttle = new LoginThrottle(config);
    for (let i = 0; i < 3; i++) {
      expect(rejection(throttle, 'alice', 1_000)).toBeUndefined();
      throttle.recordFailure('alice', 1_000);
    }
    const error = rejection(throttle, 'alice', 11_000);
    expect(error).toBeInstanceOf(AppError);
    expect(error).toMatchObject({ status: 429, code: 'RATE_LIMITED', retryAfter: 50 });
    expect(rejection(throttle, 'bob', 11_000)).toBeUndefined();
  });

  it('forgets failures when the window ends', () => {
    const throttle = new LoginThrottle(config);
    for (let i = 0; i < 3; i++) throttle.recordFailure('alice', 0);
    expect(rejection(throttle, 'alice', 59_999)).toBeDefined();
    expect(rejection(throttle, 'alice', 60_000)).toBeUndefined();
  });

  it('starts over after a success', () => {
    const throttle = new LoginThrottle(config);
    for (let i = 0; i < 3; i++) throttle.recordFailure('alice', 0);
    throttle.reset('alice');
    expect(rejection(throttle, 'alice', 1)).toBeUndefined();
  });

  it('keeps memory bounded by sweeping expired windows', () => {
    const throttle = new LoginThrottle(config);
    for (let i = 0; i < 10_000; i++) throttle.recordFailure(`bot${i}`, 0);
    throttle.recordFailure('late', 120_000);
    expect((throttle as unknown as { windows: Map<string, unknown> }).windows.size).toBe(1);
  });
});
