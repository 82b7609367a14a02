import { startGatehouse, STRONG_PASSWORD, uniqueName, type TestGatehouse } from '../support/gatehouse.js';

const IP_LIMIT = 8;
const ACCOUNT_LIMIT = 3;
let gh: TestGatehouse;

beforeAll(async () => {
  gh = await startGatehouse({
    AUTH_RATE_LIMIT: String(IP_LIMIT),
    LOGIN_MAX_FAILURES: String(ACCOUNT_LIMIT),
    LOGIN_FAILURE_WINDOW_SECONDS: '900',
    // One proxy in front: the tests play it, appending the client's address to X-Forwarded-For.
    TRUST_PROXY: '1',
  });
});
afterAll(async () => {
  await gh?.stop();
});

/** Each test poses as its own client IP (the gateway trusts one X-Forwarded-For hop here), so limits do not leak across tests. */
let nextIp = 10;
const asClient = () => ({ 'x-forwarded-for': `203.0.113.${nextIp++}` });

describe('per-IP rate limit on /register, /login, /refresh and the mail-sending routes', () => {
  it.each(['/register', '/login', '/refresh', '/password/forgot', '/email/verify'])(
    'answers 429 RATE_LIMITED with Retry-After past AUTH_RATE_LIMIT on %s',
    async (path) => {
      const client = asClient();
      const statuses: number[] = [];
      for (let i = 0; i < IP_LIMIT; i++) statuses.push((await gh.http.post(path, {}, client)).status);
      expect(statuses).not.toContain(429);

      const limited = await gh.http.post(path, {}, client);
      expect(limited.status).toBe(429);
      expect(limited.body).toMatchObject({ statusCode: 429, code: 'RATE_LIMITED' });
      expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);

      // another client is unaffected
      expect((await gh.http.post(path, {}, asClient())).status).not.toBe(429);
    },
  );

  it('counts the address the proxy added, however the client rotates what it wrote before it', async () => {
    const proxySaw = asClient()['x-forwarded-for'];
    const statuses: number[] = [];
    for (let i = 0; i <= IP_LIMIT; i++) {
      statuses.push((await gh.http.post('/login', {}, { 'x-forwarded-for': `198.51.100.${i}, ${proxySaw}` })).status);
    }
    expect(statuses.slice(0, IP_LIMIT)).not.toContain(429);
    expect(statuses.at(-1)).toBe(429);
  });

  it('counts an IPv6 client by its /64: rotating addresses within it does not help', async () => {
    const network = `2001:db8:${nextIp++}:1`;
    const statuses: number[] = [];
    for (let i = 0; i <= IP_LIMIT; i++) {
      statuses.push((await gh.http.post('/login', {}, { 'x-forwarded-for': `${network}::${(i + 1).toString(16)}` })).status);
    }
    expect(statuses.slice(0, IP_LIMIT)).not.toContain(429);
    expect(statuses.at(-1)).toBe(429);
    expect((await gh.http.post('/login', {}, { 'x-forwarded-for': `2001:db8:${nextIp++}:2::1` })).status).not.toBe(429);
  });

  it('limits POST /email/verification per IP too', async () => {
    const registered = await gh.http.post('/register', { username: uniqueName('ipv'), password: STRONG_PASSWORD }, asClient());
    const auth = { ...gh.http.bearer(registered.body.accessToken), ...asClient() };
    for (let i = 0; i < IP_LIMIT; i++) expect((await gh.http.post('/email/verification', undefined, auth)).body.code).toBe('EMAIL_MISSING');
    expect((await gh.http.post('/email/verification', undefined, auth)).body.code).toBe('RATE_LIMITED');
  });

  it('does not limit /logout', async () => {
    const client = asClient();
    for (let i = 0; i < IP_LIMIT + 2; i++) {
      expect((await gh.http.post('/logout', { refreshToken: 'x' }, client)).status).toBe(204);
    }
  });
});

describe('per-account limit on failed logins', () => {
  it('locks only that account after LOGIN_MAX_FAILURES, from any IP, even for the right password', async () => {
    const victim = uniqueName('victim');
    const bystander = uniqueName('bystander');
    for (const username of [victim, bystander]) {
      expect((await gh.http.post('/register', { username, password: STRONG_PASSWORD }, asClient())).status).toBe(201);
    }
    for (let i = 0; i < ACCOUNT_LIMIT; i++) {
      // a fresh IP each time: rotating addresses must not help
      const res = await gh.http.post('/login', { username: victim, password: `wrong-${i}-password` }, asClient());
      expect(res.status).toBe(401);
    }
    const locked = await gh.http.post('/login', { username: victim.toUpperCase(), password: STRONG_PASSWORD }, asClient());
    expect(locked.status).toBe(429);
    expect(locked.body.code).toBe('RATE_LIMITED');
    expect(Number(locked.headers.get('retry-after'))).toBeGreaterThan(800);

    const other = await gh.http.post('/login', { username: bystander, password: STRONG_PASSWORD }, asClient());
    expect(other.status).toBe(200);
  });

  it('a successful login clears earlier failures', async () => {
    const username = uniqueName('forgetful');
    await gh.http.post('/register', { username, password: STRONG_PASSWORD }, asClient());
    for (let round = 0; round < 2; round++) {
      for (let i = 0; i < ACCOUNT_LIMIT - 1; i++) {
        expect((await gh.http.post('/login', { username, password: 'wrong-password' }, asClient())).status).toBe(401);
      }
      expect((await gh.http.post('/login', { username, password: STRONG_PASSWORD }, asClient())).status).toBe(200);
    }
  });
});
