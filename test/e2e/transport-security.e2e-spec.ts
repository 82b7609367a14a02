import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import jwt from 'jsonwebtoken';
import { connect as tlsConnect, type ConnectionOptions } from 'node:tls';
import { UserPatterns } from '#contracts/user';
import { makeCertificates, type Certificates } from '../support/certificates.js';
import { startGatehouse, STRONG_PASSWORD, uniqueName, type TestGatehouse } from '../support/gatehouse.js';
import { callPattern, frame, readReply, type RpcReply } from '../support/tcp-peer.js';

const ACCESS_TOKEN_TTL = 2;
/** The gateway's JWT_CLOCK_TOLERANCE_S here: exp is honoured this much late. */
const CLOCK_TOLERANCE_S = 2;
const sleepUntil = (epochMs: number) => new Promise((resolve) => setTimeout(resolve, Math.max(0, epochMs - Date.now())));
const RATE_LIMIT = 10;
let gh: TestGatehouse;
let ours: Certificates;
let foreign: Certificates;
let signingKey: KeyObject;

beforeAll(async () => {
  ours = makeCertificates('ours');
  foreign = makeCertificates('foreign');
  // Production mode: identity must be given its signing key; it generates none.
  const keys = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  signingKey = keys.publicKey;
  const keyFile = join(ours.dir, 'jwt-private-key.pem');
  writeFileSync(keyFile, keys.privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
  gh = await startGatehouse({
    NODE_ENV: 'production',
    JWT_PRIVATE_KEY_FILE: keyFile,
    TCP_TLS_CA: ours.ca,
    TCP_TLS_CERT: ours.cert,
    TCP_TLS_KEY: ours.key,
    ACCESS_TOKEN_TTL: String(ACCESS_TOKEN_TTL),
    JWT_CLOCK_TOLERANCE_S: String(CLOCK_TOLERANCE_S),
    AUTH_RATE_LIMIT: String(RATE_LIMIT),
  });
});
afterAll(async () => {
  await gh?.stop();
  for (const certs of [ours, foreign]) if (certs) rmSync(certs.dir, { recursive: true, force: true });
});

/** Calls user.health over TLS with the given client options; resolves with the reply or the failure. */
function callOverTls(options: ConnectionOptions): Promise<RpcReply | Error> {
  return new Promise((resolve) => {
    const socket = tlsConnect({ host: '127.0.0.1', port: gh.system.options.ports.user, ...options }, () => {
      socket.write(frame({ pattern: UserPatterns.Health, data: {}, id: '1' }));
      readReply(socket, 3000).then(resolve, resolve);
    });
    socket.on('error', resolve);
  });
}

/** Node's errors come from another realm under Jest's VM modules, so `instanceof Error` cannot tell. */
const isFailure = (reply: unknown) => Object.prototype.toString.call(reply) === '[object Error]';

describe('mutual TLS between the gateway and the services', () => {
  it('runs the whole flow over TLS', async () => {
    const username = uniqueName('tls');
    expect((await gh.http.post('/register', { username, password: STRONG_PASSWORD })).status).toBe(201);
    const login = await gh.http.post('/login', { username, password: STRONG_PASSWORD });
    expect(login.status).toBe(200);
    expect((await gh.http.get('/me', gh.http.bearer(login.body.accessToken))).status).toBe(200);
    expect((await gh.http.get('/health')).status).toBe(200);
  });

  it('answers a caller with a certificate from our CA (the control)', async () => {
    const reply = await callOverTls({ ca: readFileSync(ours.ca), cert: readFileSync(ours.cert), key: readFileSync(ours.key) });
    expect(reply).toMatchObject({ response: { database: 'up' } });
  });

  it('refuses a plain TCP caller', async () => {
    await expect(callPattern(gh.system.options.ports.user, UserPatterns.Health, {}, 2000)).rejects.toThrow();
  });

  it('refuses a TLS caller without a certificate', async () => {
    const reply = await callOverTls({ ca: readFileSync(ours.ca) });
    expect(isFailure(reply)).toBe(true);
  });

  it('refuses a TLS caller whose certificate another CA signed', async () => {
    const reply = await callOverTls({ ca: readFileSync(ours.ca), cert: readFileSync(foreign.cert), key: readFileSync(foreign.key) });
    expect(isFailure(reply)).toBe(true);
  });
});

describe('in production mode', () => {
  it('signs access tokens with the key from JWT_PRIVATE_KEY_FILE', async () => {
    const res = await gh.http.post('/register', { username: uniqueName('prod'), password: STRONG_PASSWORD });
    expect(res.status).toBe(201);
    expect(jwt.verify(res.body.accessToken, signingKey, { algorithms: ['ES256'] })).toMatchObject({ sub: res.body.user.id });
  });
});

describe('with a short ACCESS_TOKEN_TTL', () => {
  it('an access token stops working once it expires, past the gateway’s clock tolerance', async () => {
    const res = await gh.http.post('/register', { username: uniqueName('ttl'), password: STRONG_PASSWORD });
    expect(res.body.accessExpire - Math.floor(Date.now() / 1000)).toBeLessThanOrEqual(ACCESS_TOKEN_TTL);
    const me = () => gh.http.get('/me', gh.http.bearer(res.body.accessToken));
    expect((await me()).status).toBe(200);
    await sleepUntil((res.body.accessExpire + 1.2) * 1000);
    expect((await me()).status).toBe(200); // expired, but within the tolerance for clocks that differ
    await sleepUntil((res.body.accessExpire + CLOCK_TOLERANCE_S + 1.2) * 1000);
    const expired = await me();
    expect(expired.status).toBe(401);
    expect(expired.body.code).toBe('UNAUTHORIZED');
  }, 60_000);
});

describe('without TRUST_PROXY', () => {
  it('ignores X-Forwarded-For: a client cannot dodge the IP limit by inventing addresses', async () => {
    const statuses: number[] = [];
    for (let i = 0; i <= RATE_LIMIT; i++) {
      statuses.push((await gh.http.post('/refresh', { refreshToken: 'x' }, { 'x-forwarded-for': `198.51.100.${i}` })).status);
    }
    expect(statuses.at(-1)).toBe(429);
  });
});
