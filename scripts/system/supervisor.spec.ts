import { RestartPolicy } from './supervisor.js';

describe('RestartPolicy', () => {
  it('backs off exponentially, up to a ceiling', () => {
    const policy = new RestartPolicy({ firstDelayMs: 100, maxDelayMs: 300, maxCrashes: 10, windowMs: 60_000 });
    expect([0, 1, 2, 3].map((i) => policy.onCrash('user', 1000 + i))).toEqual([100, 200, 300, 300]);
  });

  it('calls it a crash loop after maxCrashes within the window, per instance', () => {
    const policy = new RestartPolicy({ firstDelayMs: 100, maxDelayMs: 1000, maxCrashes: 3, windowMs: 10_000 });
    expect(policy.onCrash('user', 0)).toBe(100);
    expect(policy.onCrash('user-2', 0)).toBe(100);
    expect(policy.onCrash('user', 1000)).toBe(200);
    expect(policy.onCrash('user', 2000)).toBeUndefined();
  });

  it('forgets crashes older than the window', () => {
    const policy = new RestartPolicy({ firstDelayMs: 100, maxDelayMs: 1000, maxCrashes: 3, windowMs: 10_000 });
    policy.onCrash('user', 0);
    policy.onCrash('user', 1000);
    expect(policy.onCrash('user', 20_000)).toBe(100);
  });
});
