import { randomUUID } from 'node:crypto';
import { createLocalJWKSet, jwtVerify, type JSONWebKeySet } from 'jose';
import pg from 'pg';
import { startGatehouse, STRONG_PASSWORD, uniqueName, type TestGatehouse } from '../support/gatehouse.js';
import type { HttpResult } from '../support/http-client.js';
import { decodePart } from '../support/jwt.js';

let gh: TestGatehouse;

beforeAll(async () => {
  gh = await startGatehouse();
});
afterAll(async () => {
  await gh?.stop();
});

interface Session {
  id: string;
  createdAt: string;
  lastUsedAt: string;
  userAgent: string | null;
  ip: string | null;
  current: boolean;
}

interface SignedIn {
  accessToken: string;
  refreshToken: string;
  sid: string;
  userId: string;
}

const signedIn = (res: HttpResult): SignedIn => ({
  accessToken: res.body.accessToken,
  refreshToken: res.body.refreshToken,
  sid: decodePart(res.body.accessToken, 1).sid,
  userId: res.body.user.id,
});

/** A new account, signed in once per user agent given (the first by registering). */
async function devices(...userAgents: string[]): Promise<SignedIn[]> {
  const username = uniqueName('ses');
  const [first, ...rest] = userAgents;
  const registered = await gh.http.post('/register', { username, password: STRONG_PASSWORD }, { 'user-agent': first });
  expect(registered.status).toBe(201);
  const sessions = [signedIn(registered)];
  for (const userAgent of rest) {
    // Without TRUST_PROXY a client's X-Forwarded-For is its own claim, and ignored.
    const login = await gh.http.post(
      '/login',
      { username, password: STRONG_PASSWORD },
      { 'user-agent': userAgent, 'x-forwarded-for': '6.6.6.6' },
    );
    expect(login.status).toBe(200);
    sessions.push(signedIn(login));
  }
  return sessions;
}

const list = (token: string) => gh.http.get<Session[]>('/sessions', gh.http.bearer(token));
const del = (path: string, token?: string) => gh.http.request('DELETE', path, undefined, token ? gh.http.bearer(token) : {});
const refresh = (device: SignedIn) => gh.http.post('/refresh', { refreshToken: device.refreshToken });

describe('GET /sessions', () => {
  it('lists every login with its user agent and IP, the caller’s own as the one current', async () => {
    const [web, phone, laptop] = await devices('e2e-browser/1', 'e2e-phone/1', 'e2e-laptop/1');

    const res = await list(laptop.accessToken);

    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    const byId = new Map(res.body.map((session) => [session.id, session]));
    expect([...byId.keys()].sort()).toEqual([web.sid, phone.sid, laptop.sid].sort());
    expect(byId.get(web.sid)).toMatchObject({ userAgent: 'e2e-browser/1', ip: '127.0.0.1', current: false });
    expect(byId.get(phone.sid)).toMatchObject({ userAgent: 'e2e-phone/1', ip: '127.0.0.1', current: false });
    expect(byId.get(laptop.sid)).toMatchObject({ userAgent: 'e2e-laptop/1', ip: '127.0.0.1', current: true });
    expect(res.body.filter((session) => session.current)).toHaveLength(1);
    for (const session of res.body) {
      expect(Object.keys(session).sort()).toEqual(['createdAt', 'current', 'id', 'ip', 'lastUsedAt', 'userAgent']);
      expect(new Date(session.createdAt).toISOString()).toBe(session.createdAt);
    }
    const fromPhone = await list(phone.accessToken);
    expect(fromPhone.body.filter((session) => session.current).map((session) => session.id)).toEqual([phone.sid]);
  });

  it('cuts a very long user agent to 256 characters', async () => {
    const [device] = await devices(`e2e-long/${'x'.repeat(2_000)}`);
    const [session] = (await list(device.accessToken)).body;
    expect(session.userAgent).toBe(`e2e-long/${'x'.repeat(2_000)}`.slice(0, 256));
  });

  it('moves lastUsedAt on refresh, and shows the user agent that refreshed', async () => {
    const [phone] = await devices('e2e-phone/1');
    const [before] = (await list(phone.accessToken)).body;
    await new Promise((resolve) => setTimeout(resolve, 20));

    const refreshed = await gh.http.post('/refresh', { refreshToken: phone.refreshToken }, { 'user-agent': 'e2e-phone/2' });
    expect(refreshed.status).toBe(200);

    const [after] = (await list(refreshed.body.accessToken)).body;
    expect(after.id).toBe(before.id);
    expect(after.createdAt).toBe(before.createdAt);
    expect(Date.parse(after.lastUsedAt)).toBeGreaterThan(Date.parse(before.lastUsedAt));
    expect(after).toMatchObject({ userAgent: 'e2e-phone/2', current: true });
  });
});

describe('DELETE /sessions/:id', () => {
  it('ends that session: its refresh token is refused from then on, the others go on', async () => {
    const [phone, laptop] = await devices('e2e-phone/1', 'e2e-laptop/1');

    const res = await del(`/sessions/${phone.sid}`, laptop.accessToken);

    expect(res.status).toBe(204);
    expect(res.text).toBe('');
    const refused = await refresh(phone);
    expect(refused.status).toBe(401);
    expect(refused.body.code).toBe('INVALID_REFRESH_TOKEN');
    expect((await list(laptop.accessToken)).body.map((session) => session.id)).toEqual([laptop.sid]);
    expect((await refresh(laptop)).status).toBe(200);
    // Ended already: now it is just a session that does not exist.
    expect((await del(`/sessions/${phone.sid}`, laptop.accessToken)).status).toBe(404);
  });

  it("answers another user's session id exactly like an unknown and a malformed one, and leaves it working", async () => {
    const [mine] = await devices('e2e-mine/1');
    const [theirs] = await devices('e2e-theirs/1');

    const answers = await Promise.all(
      [theirs.sid, randomUUID(), 'not-a-session-id', `${theirs.sid}0`].map((id) => del(`/sessions/${id}`, mine.accessToken)),
    );

    for (const answer of answers) {
      expect(answer.status).toBe(404);
      expect(answer.body).toEqual(answers[0].body);
    }
    expect(answers[0].body).toMatchObject({ statusCode: 404, code: 'NOT_FOUND' });
    expect((await list(theirs.accessToken)).body.map((session) => session.id)).toEqual([theirs.sid]);
    expect((await refresh(theirs)).status).toBe(200);
  });

  it('may end the caller’s own session; its access token still works until it expires', async () => {
    const [device] = await devices('e2e-self/1');
    expect((await del(`/sessions/${device.sid}`, device.accessToken)).status).toBe(204);
    expect((await refresh(device)).status).toBe(401);
    // Verified locally by the gateway, as the README and the Swagger description say.
    const after = await list(device.accessToken);
    expect(after.status).toBe(200);
    expect(after.body).toEqual([]);
  });
});

describe('DELETE /sessions', () => {
  it('with scope=others ends every session but the current one', async () => {
    const [a, b, current] = await devices('e2e-a/1', 'e2e-b/1', 'e2e-current/1');
    const [stranger] = await devices('e2e-stranger/1');

    expect((await del('/sessions?scope=others', current.accessToken)).status).toBe(204);

    expect((await list(current.accessToken)).body.map((session) => session.id)).toEqual([current.sid]);
    for (const ended of [a, b]) expect((await refresh(ended)).body.code).toBe('INVALID_REFRESH_TOKEN');
    expect((await refresh(current)).status).toBe(200);
    expect((await refresh(stranger)).status).toBe(200);
  });

  it.each([
    ['scope=all', '/sessions?scope=all'],
    ['no scope (all is the default)', '/sessions'],
  ])('with %s ends every session, the current one too', async (_, path) => {
    const sessions = await devices('e2e-a/1', 'e2e-b/1');
    const [stranger] = await devices('e2e-stranger/1');

    expect((await del(path, sessions[0].accessToken)).status).toBe(204);

    for (const ended of sessions) expect((await refresh(ended)).body.code).toBe('INVALID_REFRESH_TOKEN');
    expect((await list(sessions[0].accessToken)).body).toEqual([]);
    expect((await refresh(stranger)).status).toBe(200);
  });

  it.each(['mine', 'ALL', '', 'others&scope=all'])('answers 400 VALIDATION_FAILED to scope=%j and ends nothing', async (scope) => {
    const [device] = await devices('e2e-a/1');
    const res = await del(`/sessions?scope=${scope}`, device.accessToken);
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('VALIDATION_FAILED');
    expect((await refresh(device)).status).toBe(200);
  });

  it('answers 400 to an unknown query parameter', async () => {
    const [device] = await devices('e2e-a/1');
    expect((await del('/sessions?everything=yes', device.accessToken)).status).toBe(400);
  });
});

describe('without a valid access token', () => {
  const routes: Array<[string, string]> = [
    ['GET', '/sessions'],
    ['DELETE', `/sessions/${randomUUID()}`],
    ['DELETE', '/sessions/not-a-uuid'],
    ['DELETE', '/sessions'],
    ['DELETE', '/sessions?scope=others'],
    ['DELETE', '/sessions?scope=bogus'],
  ];

  it.each(routes)('%s %s answers 401 UNAUTHORIZED', async (method, path) => {
    for (const headers of [{}, gh.http.bearer('not.a.token'), { authorization: 'Basic YWxpY2U6eA==' }]) {
      const res = await gh.http.request(method, path, undefined, headers);
      expect(res.status).toBe(401);
      expect(res.body.code).toBe('UNAUTHORIZED');
    }
  });
});

describe('GET /.well-known/jwks.json', () => {
  it('verifies a real access token offline with jose, with issuer and audience, and refuses a tampered one', async () => {
    const [device] = await devices('e2e-jwks/1');
    const res = await gh.http.get<JSONWebKeySet>('/.well-known/jwks.json');
    expect(res.status).toBe(200);

    const jwks = createLocalJWKSet(res.body);
    const { payload, protectedHeader } = await jwtVerify(device.accessToken, jwks, {
      issuer: 'gatehouse',
      audience: 'gatehouse',
      algorithms: ['ES256'],
    });
    expect(payload).toMatchObject({ sub: device.userId, sid: device.sid });
    expect(res.body.keys.map((key) => key.kid)).toContain(protectedHeader.kid);

    const [header, body, signature] = device.accessToken.split('.');
    const claims = { ...decodePart(device.accessToken, 1), sub: randomUUID() };
    const tampered = `${header}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.${signature}`;
    expect(body).not.toBe(tampered.split('.')[1]);
    await expect(jwtVerify(tampered, jwks, { issuer: 'gatehouse', audience: 'gatehouse' })).rejects.toThrow();
    await expect(jwtVerify(device.accessToken, jwks, { issuer: 'gatehouse', audience: 'someone-else' })).rejects.toThrow();
  });

  it('is cacheable, needs no auth, and holds ES256 signing keys with no private member', async () => {
    const res = await gh.http.get('/.well-known/jwks.json');

    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('public, max-age=300');
    expect(res.headers.get('pragma')).toBeNull();
    expect(res.body.keys.length).toBeGreaterThanOrEqual(1);
    for (const key of res.body.keys) {
      expect(key).toEqual({
        kid: expect.any(String),
        kty: 'EC',
        crv: 'P-256',
        x: expect.any(String),
        y: expect.any(String),
        alg: 'ES256',
        use: 'sig',
      });
    }
    expect(res.text).not.toMatch(/"(d|p|q|dp|dq|qi|k)"\s*:/);
  });

  it('answers 503 while identity is down and the gateway has no key set yet; keeps serving one it has', async () => {
    const { system } = gh;
    await system.apps.identity!.stop();
    await system.apps.gateway!.stop();
    await system.startApp('gateway');

    const down = await gh.http.get('/.well-known/jwks.json');
    expect(down.status).toBe(503);
    expect(down.body.code).toBe('SERVICE_UNAVAILABLE');
    expect(down.headers.get('cache-control')).toBe('no-store');

    await system.startApp('identity');
    expect((await gh.http.get('/.well-known/jwks.json')).status).toBe(200);
    await system.apps.identity!.stop();
    const cached = await gh.http.get('/.well-known/jwks.json');
    expect(cached.status).toBe(200);
    expect(cached.body.keys.length).toBeGreaterThanOrEqual(1);
    await system.startApp('identity');
  });
});

describe('after a signing key change', () => {
  it('publishes the old key beside the new one while tokens it signed may live, and both verify', async () => {
    const [before] = await devices('e2e-old-key/1');
    // A development key lives in the identity database: without it, identity makes a new one on start.
    const db = new pg.Client({ connectionString: gh.system.database!.url('identity') });
    await db.connect();
    await db.query('DELETE FROM signing_keys');
    await db.end();
    await gh.system.apps.identity!.stop();
    await gh.system.startApp('identity');

    const [after] = await devices('e2e-new-key/1');
    const oldKid = decodePart(before.accessToken, 0).kid;
    const newKid = decodePart(after.accessToken, 0).kid;
    expect(newKid).not.toBe(oldKid);
    // The gateway re-fetches keys for an unknown kid at most every 5 s.
    const deadline = Date.now() + 10_000;
    while ((await gh.http.get('/me', gh.http.bearer(after.accessToken))).status !== 200 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 250));
    }

    expect((await gh.http.get('/me', gh.http.bearer(after.accessToken))).status).toBe(200);
    expect((await gh.http.get('/me', gh.http.bearer(before.accessToken))).status).toBe(200);
    const { body } = await gh.http.get<JSONWebKeySet>('/.well-known/jwks.json');
    expect(body.keys.map((key) => key.kid).sort()).toEqual([oldKid, newKid].sort());
    const jwks = createLocalJWKSet(body);
    for (const token of [before.accessToken, after.accessToken]) {
      await expect(jwtVerify(token, jwks, { issuer: 'gatehouse', audience: 'gatehouse' })).resolves.toBeDefined();
    }
  });
});

describe('the OpenAPI document', () => {
  it('describes the session routes with their response types and error codes, and the JWKS route', async () => {
    const { body: doc } = await gh.http.get('/docs-json');
    const sessions = doc.paths['/sessions'];
    expect(sessions.get.responses['200'].content['application/json'].schema).toEqual({
      type: 'array',
      items: { $ref: '#/components/schemas/SessionView' },
    });
    expect(Object.keys(sessions.get.responses)).toEqual(expect.arrayContaining(['200', '401', '503']));
    expect(Object.keys(sessions.delete.responses)).toEqual(expect.arrayContaining(['204', '400', '401']));
    expect(sessions.delete.parameters).toEqual([expect.objectContaining({ name: 'scope', in: 'query', required: false })]);
    expect(sessions.delete.description).toMatch(/stays valid until its `exp`/);
    const one = doc.paths['/sessions/{id}'].delete;
    expect(Object.keys(one.responses)).toEqual(expect.arrayContaining(['204', '401', '404']));
    expect(one.description).toMatch(/stays valid until its `exp`/);
    expect(one.responses['404'].description).toContain('NOT_FOUND');
    expect(Object.keys(doc.components.schemas.SessionView.properties).sort()).toEqual([
      'createdAt',
      'current',
      'id',
      'ip',
      'lastUsedAt',
      'userAgent',
    ]);
    expect(doc.paths['/.well-known/jwks.json'].get.responses['200']).toBeDefined();
  });
});
