import { randomUUID } from 'node:crypto';
import { startGatehouse, STRONG_PASSWORD, uniqueName, type TestGatehouse } from '../support/gatehouse.js';
import { logsFlushed } from '../support/logs.js';

let gh: TestGatehouse;
let refreshToken: string;
let accessToken: string;

beforeAll(async () => {
  gh = await startGatehouse({ BODY_LIMIT_BYTES: '2048' });
  const res = await gh.http.post('/register', { username: uniqueName('bad'), password: STRONG_PASSWORD });
  refreshToken = res.body.refreshToken;
  accessToken = res.body.accessToken;
});
afterAll(async () => {
  await gh?.stop();
});

/** A valid body for each endpoint; every case below breaks exactly one thing about it. */
const endpoints: Record<string, () => Record<string, unknown>> = {
  '/register': () => ({ username: uniqueName('bad'), password: STRONG_PASSWORD }),
  '/login': () => ({ username: 'someone', password: STRONG_PASSWORD }),
  '/refresh': () => ({ refreshToken }),
  '/logout': () => ({ refreshToken: 'x'.repeat(43) }),
};

const cases = Object.entries(endpoints).flatMap(([path, valid]) => {
  const fields = Object.keys(valid());
  return [
    ...fields.map((field) => [path, `${field} missing`, () => ({ ...valid(), [field]: undefined })] as const),
    ...fields.map((field) => [path, `${field} a number`, () => ({ ...valid(), [field]: 42 })] as const),
    ...fields.map((field) => [path, `${field} an object`, () => ({ ...valid(), [field]: { $gt: '' } })] as const),
    ...fields.map((field) => [path, `${field} null`, () => ({ ...valid(), [field]: null })] as const),
    ...fields.map((field) => [path, `${field} with a NUL byte`, () => ({ ...valid(), [field]: `a\u0000${valid()[field]}` })] as const),
    [path, 'an extra field', () => ({ ...valid(), isAdmin: true })] as const,
    // The account's id is the gateway's to choose (it travels on the wire, never in the body).
    [path, 'an id of its own', () => ({ ...valid(), id: '00000000-0000-4000-8000-000000000000' })] as const,
    [path, 'an array body', () => [valid()]] as const,
  ];
});

describe.each(Object.keys(endpoints))('%s', (path) => {
  it.each(cases.filter(([p]) => p === path).map(([, name, body]) => [name, body]))(
    'answers 400 VALIDATION_FAILED for %s',
    async (_, body) => {
      const res = await gh.http.post(path, (body as () => unknown)());
      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({ statusCode: 400, error: 'Bad Request', code: 'VALIDATION_FAILED' });
    },
  );

  it('answers 400 for malformed JSON', async () => {
    for (const raw of ['{"a":', '{"a" 1}', 'null', '']) {
      const res = await gh.http.postRaw(path, raw);
      expect(res.status).toBe(400);
      expect(res.body.code).toBe('VALIDATION_FAILED');
    }
  });

  it('answers 413 PAYLOAD_TOO_LARGE for a body over BODY_LIMIT_BYTES', async () => {
    const res = await gh.http.post(path, { ...endpoints[path](), padding: 'x'.repeat(4096) });
    expect(res.status).toBe(413);
    expect(res.body).toMatchObject({ statusCode: 413, error: 'Payload Too Large', code: 'PAYLOAD_TOO_LARGE' });
  });

  it('refuses a form body with 415 and a text body with 400 (no cross-site simple posts)', async () => {
    const form = await gh.http.postRaw(path, 'username=a&password=b', { 'content-type': 'application/x-www-form-urlencoded' });
    expect(form.status).toBe(415);
    expect(form.body.code).toBe('UNSUPPORTED_MEDIA_TYPE');
    const text = await gh.http.postRaw(path, JSON.stringify(endpoints[path]()), { 'content-type': 'text/plain' });
    expect(text.status).toBe(400);
    expect(text.body.code).toBe('VALIDATION_FAILED');
  });
});

describe('paths the router refuses before any route runs', () => {
  const notFound = { statusCode: 404, error: 'Not Found', code: 'NOT_FOUND', message: expect.any(String) };

  it('lets a session id over 100 characters reach its route: 404 NOT_FOUND with a token, 401 without', async () => {
    const path = `/sessions/${'a'.repeat(101)}`;
    const withToken = await gh.http.request('DELETE', path, undefined, gh.http.bearer(accessToken));
    expect(withToken.status).toBe(404);
    expect(withToken.body).toEqual(notFound);
    expect((await gh.http.request('DELETE', path, undefined, {})).body.code).toBe('UNAUTHORIZED');
  });

  it.each([
    ['a bad percent-encoding in a parameter', 'DELETE', '/sessions/%zz'],
    ['a bad percent-encoding in a static path', 'GET', '/me%zz'],
    ['a parameter past the router’s limit', 'DELETE', `/sessions/${'a'.repeat(5000)}`],
  ])('answers %s with the contract’s 404 NOT_FOUND, the usual headers, and a log line', async (_, method, path) => {
    const requestId = `e2e-${randomUUID()}`;
    const res = await gh.http.request(method, path, undefined, { ...gh.http.bearer(accessToken), 'x-request-id': requestId });

    expect(res.status).toBe(404);
    expect(res.body).toEqual(notFound);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    expect(res.headers.get('x-request-id')).toBe(requestId);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('content-security-policy')).toContain("default-src 'none'");
    await logsFlushed();
    const line = gh.logs.find((l) => l.startsWith('[gateway] {') && l.includes(`"reqId":"${requestId}"`));
    expect(JSON.parse(line!.slice('[gateway] '.length))).toMatchObject({ msg: 'request completed', method, statusCode: 404 });
  });
});

describe('after all that', () => {
  it('still serves, and no input reached PostgreSQL as an encoding error', async () => {
    expect((await gh.http.get('/health')).status).toBe(200);
    await logsFlushed();
    expect(gh.logs.join('\n')).not.toMatch(/ERROR.*invalid byte sequence/);
  });
});
