import { createPrivateKey, createPublicKey, generateKeyPairSync, randomUUID, type KeyObject } from 'node:crypto';
import { IdentityPatterns } from '#contracts/identity';
import { UserPatterns } from '#contracts/user';
import pg from 'pg';
import { startGatehouse, STRONG_PASSWORD, uniqueName, type TestGatehouse } from '../support/gatehouse.js';
import { LEAK_PATTERNS } from '../support/http-client.js';
import { decodePart, es256Jwt, hs256Jwt, unsignedJwt } from '../support/jwt.js';
import { callPattern } from '../support/tcp-peer.js';

let gh: TestGatehouse;
let identityKey: KeyObject;
let kid: string;

beforeAll(async () => {
  gh = await startGatehouse();
  // Identity's own development key, read from its database: lets the tests make tokens
  // that differ from a real one in exactly one claim.
  const db = new pg.Client({ connectionString: gh.system.database!.url('identity') });
  await db.connect();
  const { rows } = await db.query('SELECT kid, private_key FROM signing_keys');
  await db.end();
  identityKey = createPrivateKey(rows[0].private_key);
  kid = rows[0].kid;
});
afterAll(async () => {
  await gh?.stop();
});

async function signedIn() {
  const res = await gh.http.post('/register', { username: uniqueName('tok'), password: STRONG_PASSWORD });
  expect(res.status).toBe(201);
  return res.body as { accessToken: string; refreshToken: string; user: { id: string } };
}

function claimsFor(userId: string, overrides: Record<string, unknown> = {}) {
  const now = Math.floor(Date.now() / 1000);
  return { sub: userId, sid: randomUUID(), iat: now, exp: now + 600, iss: 'gatehouse', aud: 'gatehouse', ...overrides };
}

async function meStatus(token: string) {
  const res = await gh.http.get('/me', gh.http.bearer(token));
  if (res.status === 401) expect(res.body.code).toBe('UNAUTHORIZED');
  return res.status;
}

describe('access tokens', () => {
  it('are ES256 JWTs with kid, sub, sid, iat, exp, iss and aud', async () => {
    const { accessToken, user } = await signedIn();
    expect(decodePart(accessToken, 0)).toMatchObject({ alg: 'ES256', kid });
    expect(decodePart(accessToken, 1)).toEqual({
      sub: user.id,
      sid: expect.any(String),
      iat: expect.any(Number),
      exp: expect.any(Number),
      iss: 'gatehouse',
      aud: 'gatehouse',
    });
  });

  it("a token made here with identity's key and correct claims is accepted (the control)", async () => {
    const { user } = await signedIn();
    expect(await meStatus(es256Jwt({ alg: 'ES256', typ: 'JWT', kid }, claimsFor(user.id), identityKey))).toBe(200);
  });

  it.each([
    ['a wrong audience', { aud: 'someone-else' }],
    ['a wrong issuer', { iss: 'evil' }],
    ['no exp', { exp: undefined }],
    ['an exp passed (no clock tolerance by default)', { exp: Math.floor(Date.now() / 1000) - 2 }],
    ['an iat more than 5 s ahead', { iat: Math.floor(Date.now() / 1000) + 30 }],
    ['no iat', { iat: undefined }],
    ['no sid', { sid: undefined }],
  ])('are refused with %s, even when properly signed', async (_, overrides) => {
    const { user } = await signedIn();
    const token = es256Jwt({ alg: 'ES256', typ: 'JWT', kid }, claimsFor(user.id, overrides), identityKey);
    expect(await meStatus(token)).toBe(401);
  });

  it('are taken with an iat up to 5 s ahead, as clocks kept by NTP still differ a little', async () => {
    const { user } = await signedIn();
    const now = Math.floor(Date.now() / 1000);
    for (const overrides of [{ iat: now + 3 }]) {
      expect(await meStatus(es256Jwt({ alg: 'ES256', typ: 'JWT', kid }, claimsFor(user.id, overrides), identityKey))).toBe(200);
    }
  });

  it('are read with the scheme in any case, and a refusal says WWW-Authenticate: Bearer', async () => {
    const { accessToken } = await signedIn();
    for (const scheme of ['bearer', 'BEARER']) {
      expect((await gh.http.get('/me', { authorization: `${scheme} ${accessToken}` })).status).toBe(200);
    }
    const missing = await gh.http.get('/me');
    expect(missing.status).toBe(401);
    expect(missing.headers.get('www-authenticate')).toBe('Bearer');
    expect(missing.body).toEqual({ statusCode: 401, error: 'Unauthorized', code: 'UNAUTHORIZED', message: expect.any(String) });
    const refused = await gh.http.get('/sessions', gh.http.bearer(`${accessToken.slice(0, -4)}AAAA`));
    expect(refused.status).toBe(401);
    expect(refused.headers.get('www-authenticate')).toBe('Bearer error="invalid_token"');
  });

  it('are refused for a user that does not exist', async () => {
    const token = es256Jwt({ alg: 'ES256', typ: 'JWT', kid }, claimsFor(randomUUID()), identityKey);
    expect(await meStatus(token)).toBe(401);
  });

  it('are refused with alg none', async () => {
    const { accessToken } = await signedIn();
    const forged = unsignedJwt({ alg: 'none', typ: 'JWT', kid }, decodePart(accessToken, 1));
    expect(await meStatus(forged)).toBe(401);
  });

  it('are refused when the payload is tampered with', async () => {
    const { accessToken } = await signedIn();
    const { user: other } = await signedIn();
    const [header, , signature] = accessToken.split('.');
    const payload = Buffer.from(JSON.stringify({ ...decodePart(accessToken, 1), sub: other.id })).toString('base64url');
    expect(await meStatus(`${header}.${payload}.${signature}`)).toBe(401);
  });

  it('are refused when HS256-signed with the public key (algorithm confusion)', async () => {
    const { user } = await signedIn();
    const { response } = await callPattern(gh.system.options.ports.identity, IdentityPatterns.PublicKeys, {});
    const jwk = (response as { keys: any[] }).keys[0];
    const pem = createPublicKey({ key: jwk, format: 'jwk' }).export({ type: 'spki', format: 'pem' }) as string;
    for (const secret of [pem, JSON.stringify(jwk)]) {
      expect(await meStatus(hs256Jwt({ alg: 'HS256', typ: 'JWT', kid }, claimsFor(user.id), secret))).toBe(401);
    }
  });

  it("are refused when signed by a foreign key, with or without identity's kid", async () => {
    const { user } = await signedIn();
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    expect(await meStatus(es256Jwt({ alg: 'ES256', kid }, claimsFor(user.id), privateKey))).toBe(401);
    expect(await meStatus(es256Jwt({ alg: 'ES256', kid: 'other' }, claimsFor(user.id), privateKey))).toBe(401);
  });

  it('cannot be swapped with refresh tokens', async () => {
    const { accessToken, refreshToken } = await signedIn();
    expect(await meStatus(refreshToken)).toBe(401);
    const res = await gh.http.post('/refresh', { refreshToken: accessToken });
    expect(res.status).toBe(401);
    expect(res.body.code).toBe('INVALID_REFRESH_TOKEN');
  });
});

describe('the services over raw TCP', () => {
  const userPort = () => gh.system.options.ports.user;

  it('never put the password hash in a reply', async () => {
    const username = uniqueName('tcp');
    const replies = [
      await callPattern(userPort(), UserPatterns.Register, { username, password: STRONG_PASSWORD }),
      await callPattern(userPort(), UserPatterns.VerifyCredentials, { username, password: STRONG_PASSWORD }),
    ];
    const id = (replies[0].response as { id: string }).id;
    replies.push(await callPattern(userPort(), UserPatterns.FindSessionOwner, { id }));
    replies.push(await callPattern(userPort(), UserPatterns.FindById, { id }));
    const view = ['createdAt', 'email', 'emailVerifiedAt', 'id', 'lastLoginAt', 'username'];
    // The first three are a session's owner: the view and its credentials version.
    replies.forEach((reply, i) => {
      expect(reply.err).toBeUndefined();
      expect(Object.keys(reply.response as object).sort()).toEqual(
        i < 3 ? [...view.slice(0, 2), 'credentialsVersion', ...view.slice(2)].sort() : view,
      );
      for (const pattern of LEAK_PATTERNS) expect(JSON.stringify(reply)).not.toMatch(pattern);
    });
  });

  it.each([
    ['an empty payload', {}],
    ['a null id', { id: null }],
    ['a non-uuid id', { id: "1' OR '1'='1" }],
    ['extra fields', { id: randomUUID(), admin: true }],
    ['no payload at all', null],
  ])('validate their own payloads: user.find_by_id with %s is an error, never a row', async (_, data) => {
    const reply = await callPattern(userPort(), UserPatterns.FindById, data);
    expect(reply.response).toBeUndefined();
    expect(reply.err).toMatchObject({ status: 400, code: 'VALIDATION_FAILED' });
  });

  it('answer an unknown pattern with an error and keep serving', async () => {
    const reply = await callPattern(userPort(), 'user.drop_all_tables', {});
    expect(reply.err).toBeDefined();
    expect(reply.response).toBeUndefined();
    expect((await gh.http.get('/health')).status).toBe(200);
  });
});
