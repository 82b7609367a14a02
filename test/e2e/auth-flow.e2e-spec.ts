import { startGatehouse, STRONG_PASSWORD, uniqueName, type TestGatehouse } from '../support/gatehouse.js';
import { transportEnv } from '../support/transport-under-test.js';

let gh: TestGatehouse;
beforeAll(async () => {
  // TCP here; auth-flow-nats.e2e-spec.ts runs this same file over NATS.
  gh = await startGatehouse(transportEnv());
});
afterAll(async () => {
  await gh?.stop();
});

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

async function register(overrides: Record<string, unknown> = {}) {
  return gh.http.post('/register', { username: uniqueName(), password: STRONG_PASSWORD, ...overrides });
}

function expectTokenPair(body: any) {
  const now = Math.floor(Date.now() / 1000);
  expect(body.accessToken.split('.')).toHaveLength(3);
  expect(body.accessExpire).toBeGreaterThanOrEqual(now + 900 - 5);
  expect(body.accessExpire).toBeLessThanOrEqual(now + 900 + 5);
  // refreshAfter is half the access token's life
  expect(body.accessExpire - body.refreshAfter).toBeGreaterThanOrEqual(449);
  expect(body.accessExpire - body.refreshAfter).toBeLessThanOrEqual(451);
  expect(body.refreshToken.length).toBeGreaterThanOrEqual(43); // 256 bits, base64url
}

describe('POST /register', () => {
  it('creates the account and signs it in', async () => {
    const username = uniqueName('Reg');
    const res = await gh.http.post('/register', { username, password: STRONG_PASSWORD, email: `${username}@Example.com` });
    expect(res.status).toBe(201);
    expect(Object.keys(res.body).sort()).toEqual(['accessExpire', 'accessToken', 'refreshAfter', 'refreshToken', 'user']);
    expect(res.body.user).toEqual({
      id: expect.stringMatching(UUID),
      username,
      email: `${username}@Example.com`,
      emailVerifiedAt: null,
      createdAt: expect.any(String),
      lastLoginAt: null,
    });
    expect(new Date(res.body.user.createdAt).toISOString()).toBe(res.body.user.createdAt);
    expectTokenPair(res.body);
  });

  it('keeps the spelling but refuses the same username in another case', async () => {
    const username = uniqueName('Mixed');
    expect((await register({ username })).status).toBe(201);
    const again = await register({ username: username.toLowerCase() });
    expect(again.status).toBe(409);
    expect(again.body).toEqual({ statusCode: 409, error: 'Conflict', code: 'USERNAME_TAKEN', message: expect.any(String) });
  });

  it('refuses an email already registered, in any case', async () => {
    const email = `${uniqueName('mail')}@example.com`;
    expect((await register({ email })).status).toBe(201);
    const again = await register({ email: email.toUpperCase() });
    expect(again.status).toBe(409);
    expect(again.body.code).toBe('EMAIL_TAKEN');
  });

  it('lets exactly one of 20 concurrent registrations of one username win', async () => {
    const username = uniqueName('race');
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) => register({ username: i % 2 ? username : username.toUpperCase() })),
    );
    const statuses = results.map((r) => r.status).sort();
    expect(statuses.filter((s) => s === 201)).toHaveLength(1);
    expect(statuses.filter((s) => s === 409)).toHaveLength(19);
    for (const r of results.filter((r) => r.status === 409)) expect(r.body.code).toBe('USERNAME_TAKEN');
  });

  it.each([
    ['too short a username', { username: 'ab' }],
    ['too long a username', { username: 'a'.repeat(33) }],
    ['a username with a space', { username: 'has space' }],
    ['a username with a NUL byte', { username: 'nul\u0000byte' }],
    ['a username of the wrong type', { username: 12345 }],
    ['a missing username', { username: undefined }],
    ['a missing password', { password: undefined }],
    ['a password of the wrong type', { password: ['x'] }],
    ['a password under 8 characters', { password: 'Sh0rt!' }],
    ['a password with a NUL byte', { password: 'abc\u0000defghijk' }],
    ['an invalid email', { email: 'not-an-email' }],
    ['an email over 254 characters', { email: `${'a'.repeat(64)}@${'b'.repeat(190)}.com` }],
    ['an unknown field', { role: 'admin' }],
  ])('answers 400 VALIDATION_FAILED for %s', async (_, overrides) => {
    const res = await register(overrides);
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ statusCode: 400, error: 'Bad Request', code: 'VALIDATION_FAILED' });
    expect(res.body.message).toEqual(expect.any(Array));
  });

  it('rejects a password over 72 UTF-8 bytes instead of truncating it', async () => {
    const password = 'é'.repeat(37); // 37 characters, 74 bytes
    const res = await register({ password });
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('PASSWORD_TOO_LONG');
    // exactly 72 bytes is fine
    expect((await register({ password: 'é'.repeat(36) })).status).toBe(201);
  });

  it.each([
    ['a common password', () => ({ password: 'password123' })],
    ['a common password in other case', () => ({ password: 'QWERTYUIOP' })],
    ['the username', () => ({ username: 'Sameasname1', password: 'sameASNAME1' })],
  ])('answers 400 PASSWORD_TOO_WEAK for %s', async (_, overrides) => {
    const res = await register(overrides());
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('PASSWORD_TOO_WEAK');
  });

  it('answers 400 for malformed JSON and 413 for a body over the limit', async () => {
    const malformed = await gh.http.postRaw('/register', '{"username": "x",');
    expect(malformed.status).toBe(400);
    expect(malformed.body.code).toBe('VALIDATION_FAILED');
    const huge = await gh.http.post('/register', { username: 'big', password: 'x'.repeat(20_000) });
    expect(huge.status).toBe(413);
    expect(huge.body).toMatchObject({ statusCode: 413, code: 'PAYLOAD_TOO_LARGE' });
  });
});

describe('POST /login', () => {
  it('signs in case-insensitively and records lastLoginAt via the user.logged_in event', async () => {
    const username = uniqueName('Login');
    await register({ username });
    const res = await gh.http.post('/login', { username: username.toUpperCase(), password: STRONG_PASSWORD });
    expect(res.status).toBe(200);
    expect(res.body.user.username).toBe(username);
    expectTokenPair(res.body);

    let lastLoginAt: string | null = null;
    for (let i = 0; i < 50 && !lastLoginAt; i++) {
      lastLoginAt = (await gh.http.get('/me', gh.http.bearer(res.body.accessToken))).body.lastLoginAt;
      if (!lastLoginAt) await new Promise((r) => setTimeout(r, 100));
    }
    expect(lastLoginAt).not.toBeNull();
    expect(Math.abs(Date.parse(lastLoginAt!) - Date.now())).toBeLessThan(60_000);
  });

  it('answers the same 401 for an unknown user and a wrong password', async () => {
    const username = uniqueName('Known');
    await register({ username });
    const wrong = await gh.http.post('/login', { username, password: 'not-the-password' });
    const unknown = await gh.http.post('/login', { username: uniqueName('ghost'), password: 'not-the-password' });
    expect(wrong.status).toBe(401);
    expect(unknown.status).toBe(401);
    expect(wrong.body).toEqual(unknown.body);
    expect(wrong.body.code).toBe('INVALID_CREDENTIALS');
  });

  it('never lets a password that matches only in its first 72 bytes in', async () => {
    const password = 'p'.repeat(72);
    const username = uniqueName('Trunc');
    expect((await register({ username, password })).status).toBe(201);
    const res = await gh.http.post('/login', { username, password: `${password}extra` });
    expect(res.status).toBe(401);
  });

  it('rejects bad input with 400', async () => {
    expect((await gh.http.post('/login', { username: 'x' })).body.code).toBe('VALIDATION_FAILED');
    expect((await gh.http.post('/login', { username: 1, password: 2 })).status).toBe(400);
    expect((await gh.http.post('/login', { username: 'a', password: 'b', extra: 1 })).status).toBe(400);
  });
});

describe('GET /me', () => {
  it('returns the caller', async () => {
    const { body } = await register();
    const me = await gh.http.get('/me', gh.http.bearer(body.accessToken));
    expect(me.status).toBe(200);
    expect(me.body).toEqual(body.user);
  });

  it.each([
    ['no header', {}],
    ['a malformed header', { authorization: 'Token abc' }],
    ['garbage', { authorization: 'Bearer not.a.jwt' }],
  ])('answers 401 UNAUTHORIZED for %s', async (_, headers) => {
    const res = await gh.http.get('/me', headers);
    expect(res.status).toBe(401);
    expect(res.body).toMatchObject({ statusCode: 401, error: 'Unauthorized', code: 'UNAUTHORIZED' });
  });
});

describe('POST /refresh and /logout', () => {
  it('rotates: the new pair works and the old refresh token stops working', async () => {
    const { body: first } = await register();
    const refreshed = await gh.http.post('/refresh', { refreshToken: first.refreshToken });
    expect(refreshed.status).toBe(200);
    expect(refreshed.body.user).toEqual(first.user);
    expectTokenPair(refreshed.body);
    expect(refreshed.body.refreshToken).not.toBe(first.refreshToken);
    expect((await gh.http.get('/me', gh.http.bearer(refreshed.body.accessToken))).status).toBe(200);

    const next = await gh.http.post('/refresh', { refreshToken: refreshed.body.refreshToken });
    expect(next.status).toBe(200);
  });

  it('treats reuse of a rotated token as theft and revokes the whole session', async () => {
    const { body: first } = await register();
    const second = await gh.http.post('/refresh', { refreshToken: first.refreshToken });
    expect(second.status).toBe(200);

    const reuse = await gh.http.post('/refresh', { refreshToken: first.refreshToken });
    expect(reuse.status).toBe(401);
    expect(reuse.body.code).toBe('REFRESH_TOKEN_REUSED');
    // the thief's or the owner's newer token dies with the session
    const afterTheft = await gh.http.post('/refresh', { refreshToken: second.body.refreshToken });
    expect(afterTheft.status).toBe(401);
    expect(afterTheft.body.code).toBe('INVALID_REFRESH_TOKEN');
  });

  it('lets at most one of 10 parallel refreshes of one token succeed', async () => {
    const { body } = await register();
    const results = await Promise.all(Array.from({ length: 10 }, () => gh.http.post('/refresh', { refreshToken: body.refreshToken })));
    expect(results.filter((r) => r.status === 200).length).toBeLessThanOrEqual(1);
    for (const r of results) expect([200, 401]).toContain(r.status);
  });

  it('answers 401 INVALID_REFRESH_TOKEN for an unknown token and 400 for a missing one', async () => {
    const unknown = await gh.http.post('/refresh', { refreshToken: 'x'.repeat(43) });
    expect(unknown.status).toBe(401);
    expect(unknown.body.code).toBe('INVALID_REFRESH_TOKEN');
    expect((await gh.http.post('/refresh', {})).body.code).toBe('VALIDATION_FAILED');
  });

  it('logs out idempotently: 204, and the refresh token no longer works', async () => {
    const { body } = await register();
    const out = await gh.http.post('/logout', { refreshToken: body.refreshToken });
    expect(out.status).toBe(204);
    expect(out.text).toBe('');
    expect((await gh.http.post('/logout', { refreshToken: body.refreshToken })).status).toBe(204);
    expect((await gh.http.post('/logout', { refreshToken: 'never-issued' })).status).toBe(204);
    const refresh = await gh.http.post('/refresh', { refreshToken: body.refreshToken });
    expect(refresh.status).toBe(401);
  });
});

describe('GET /health and the API docs', () => {
  it('reports every part up', async () => {
    const res = await gh.http.get('/health');
    expect(res.status).toBe(200);
    expect(res.body.status).toBe('ok');
    expect(res.body.details).toMatchObject({
      gateway: { status: 'up' },
      user: { status: 'up', database: 'up', migrations: 'applied' },
      identity: { status: 'up', database: 'up', migrations: 'applied' },
    });
    // Public: up or down, never where the broker is (this file runs over NATS too).
    expect(res.body.details.nats).toEqual(transportEnv().NATS_URL ? { status: 'up' } : undefined);
    expect(res.text).not.toMatch(/nats:|\d+\.\d+\.\d+\.\d+|:\d{4,5}\b/);
  });

  it('serves Swagger UI and an OpenAPI 3 document of every route', async () => {
    expect((await gh.http.get('/docs')).status).toBe(200);
    const doc = await gh.http.get('/docs-json');
    expect(doc.body.openapi).toMatch(/^3\./);
    expect(Object.keys(doc.body.paths).sort()).toEqual([
      '/.well-known/jwks.json',
      '/email/verification',
      '/email/verify',
      '/health',
      '/login',
      '/logout',
      '/me',
      '/password/change',
      '/password/forgot',
      '/password/reset',
      '/refresh',
      '/register',
      '/sessions',
      '/sessions/{id}',
    ]);
    const schemas = doc.body.components.schemas;
    expect(schemas.RegisterUserDto.required).toEqual(expect.arrayContaining(['username', 'password']));
  });

  it('answers unknown routes with the contract error body', async () => {
    const res = await gh.http.get('/nope');
    expect(res.status).toBe(404);
    expect(res.body.code).toBe('NOT_FOUND');
  });
});

describe('browser defaults: no CORS_ORIGINS, no REFRESH_COOKIE', () => {
  it('give no origin cross-origin access', async () => {
    const origin = 'https://app.example.test';
    const preflight = await gh.http.request('OPTIONS', '/login', undefined, { origin, 'access-control-request-method': 'POST' });
    const simple = await gh.http.get('/health', { origin });
    for (const res of [preflight, simple]) {
      expect(res.headers.get('access-control-allow-origin')).toBeNull();
      expect(res.headers.get('access-control-allow-credentials')).toBeNull();
    }
  });

  it('return the refresh token in the body only, never cacheable', async () => {
    const { body, headers } = await register();
    const refreshed = await gh.http.post('/refresh', { refreshToken: body.refreshToken });
    for (const res of [{ headers }, refreshed]) {
      expect(res.headers.getSetCookie()).toEqual([]);
      expect(res.headers.get('cache-control')).toBe('no-store');
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    }
    expect(refreshed.body.refreshToken).toEqual(expect.any(String));
  });
});
