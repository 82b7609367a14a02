import { LEAK_PATTERNS } from '../support/http-client.js';
import { startGatehouse, STRONG_PASSWORD, uniqueName, type TestGatehouse } from '../support/gatehouse.js';

let gh: TestGatehouse;
beforeAll(async () => {
  // a real bcrypt cost, so that a registration is still in flight when the signal lands
  gh = await startGatehouse({ BCRYPT_ROUNDS: '10' });
});
afterAll(async () => {
  await gh?.stop();
});

const credentials = () => ({ username: uniqueName('out'), password: STRONG_PASSWORD });

async function eventually<T>(attempt: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await attempt();
    if (done(value) || Date.now() > deadline) return value;
    await new Promise((r) => setTimeout(r, 200));
  }
}

describe('PostgreSQL stopped under a running system', () => {
  it('answers 503 without SQL or stack traces, and recovers by itself when the database is back', async () => {
    const before = await gh.http.post('/register', credentials());
    expect(before.status).toBe(201);
    const { accessToken, refreshToken } = before.body;

    await gh.system.database!.stop();
    try {
      const responses = [
        await gh.http.post('/register', credentials()),
        await gh.http.post('/login', { username: before.body.user.username, password: STRONG_PASSWORD }),
        await gh.http.get('/me', gh.http.bearer(accessToken)),
        await gh.http.post('/refresh', { refreshToken }),
      ];
      for (const res of responses) {
        expect(res.status).toBe(503);
        expect(res.body.code).toBe('SERVICE_UNAVAILABLE');
        for (const pattern of LEAK_PATTERNS) expect(res.text).not.toMatch(pattern);
      }
      const health = await gh.http.get('/health');
      expect(health.status).toBe(503);
      expect(Object.keys(health.body.error).sort()).toEqual(['identity', 'user']);
    } finally {
      await gh.system.database!.start();
    }

    const after = await eventually(
      () => gh.http.post('/register', credentials()),
      (r) => r.status === 201,
    );
    expect(after.status).toBe(201);
    expect((await gh.http.get('/me', gh.http.bearer(accessToken))).status).toBe(200);
    expect(
      (
        await eventually(
          () => gh.http.get('/health'),
          (r) => r.status === 200,
        )
      ).status,
    ).toBe(200);
  });
});

describe('graceful shutdown', () => {
  it('on SIGTERM the user service finishes registrations in flight or leaves no row, and exits within 10 s', async () => {
    const attempts = Array.from({ length: 6 }, credentials);
    const responses = attempts.map((body) => gh.http.post('/register', body));
    await new Promise((r) => setTimeout(r, 30));
    const user = gh.system.apps.user!;
    const signalled = Date.now();
    process.kill(user.pid, 'SIGTERM');
    expect(await user.exited).toBe(0);
    expect(Date.now() - signalled).toBeLessThan(10_000);
    const statuses = (await Promise.all(responses)).map((r) => r.status);
    for (const status of statuses) expect([201, 503]).toContain(status);

    await gh.system.startApp('user');
    for (const [i, body] of attempts.entries()) {
      const login = await gh.http.post('/login', body);
      // a 201 means the account exists; anything else means it was never written
      expect(login.status).toBe(statuses[i] === 201 ? 200 : 401);
    }
    expect(statuses).toContain(201);
  });

  it.each(['gateway', 'identity'] as const)('the %s exits cleanly within 10 s on SIGTERM', async (name) => {
    const app = gh.system.apps[name]!;
    const signalled = Date.now();
    process.kill(app.pid, 'SIGTERM');
    expect(await app.exited).toBe(0);
    expect(Date.now() - signalled).toBeLessThan(10_000);
    await gh.system.startApp(name);
    expect((await gh.http.post('/register', credentials())).status).toBe(201);
  });
});
