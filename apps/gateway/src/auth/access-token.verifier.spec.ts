import { generateKeyPairSync } from 'node:crypto';
import { jest } from '@jest/globals';
import { JwtService } from '@nestjs/jwt';
import { AppError } from '#common/errors';
import { ErrorCode } from '#contracts/errors';
import type { AccessClaims, PublicKeySet } from '#contracts/identity';
import type { GatewayConfig } from '../gateway.config.js';
import type { IdentityClient } from '../rpc/clients.js';
import {
  AccessTokenVerifier,
  CLOCK_TOLERANCE_S,
  IAT_AHEAD_S,
  VERIFIED_TOKENS_MAX,
  VERIFIED_TOKENS_MAX_AGE_MS,
} from './access-token.verifier.js';
import { JwtVerifierProvider } from './jwt-verifier.provider.js';
import { JWKS_MAX_AGE_S, PublicKeysCache } from './public-keys.cache.js';

const ISSUER = 'gatehouse-identity';
const AUDIENCE = 'gatehouse';

function signingKey(kid: string) {
  const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  return { kid, privateKey, jwk: { ...publicKey.export({ format: 'jwk' }), kid, alg: 'ES256' } };
}
const first = signingKey('key-1');
const second = signingKey('key-2');

let now: number;
beforeEach(() => {
  now = 1_800_000_000_000;
  jest.spyOn(Date, 'now').mockImplementation(() => now);
});
afterEach(() => jest.restoreAllMocks());

/** A tolerance an operator might configure, for the tests of what it allows. */
const TOLERANCE_S = 30;

function setUp(toleranceS = CLOCK_TOLERANCE_S) {
  const identity = { published: [first.jwk] as PublicKeySet['keys'], send: async () => ({ keys: identity.published }) };
  const keys = new PublicKeysCache(identity as unknown as IdentityClient);
  const config = { JWT_ISSUER: ISSUER, JWT_AUDIENCE: AUDIENCE, JWT_CLOCK_TOLERANCE_S: toleranceS } as GatewayConfig;
  const jwt = (JwtVerifierProvider as { useFactory: (k: PublicKeysCache, c: GatewayConfig) => JwtService }).useFactory(keys, config);
  const verifyAsync = jest.spyOn(jwt, 'verifyAsync');
  return {
    identity,
    keys,
    verifyAsync,
    verifier: new AccessTokenVerifier(jwt, keys, config),
  };
}

/** A token as identity signs it, living `ttlS` seconds from now; `claims` replace what identity would put. */
function token(key = first, ttlS = 900, claims: Record<string, unknown> = {}): string {
  const signer = new JwtService({ privateKey: key.privateKey, signOptions: { algorithm: 'ES256' } });
  const nowS = Math.floor(now / 1000);
  return signer.sign({ sub: 'user-1', sid: 'session-1', iat: nowS, exp: nowS + ttlS, ...claims }, {
    keyid: key.kid,
    issuer: ISSUER,
    audience: AUDIENCE,
  } as never);
}

const unauthorized = (promise: Promise<unknown>) => expect(promise).rejects.toMatchObject({ code: 'UNAUTHORIZED' });

describe('AccessTokenVerifier', () => {
  it('verifies the signature of a token once and answers it from memory after that', async () => {
    const { verifier, verifyAsync } = setUp();
    const access = token();

    const claims = await verifier.verify(access);
    expect(claims).toMatchObject({ sub: 'user-1', sid: 'session-1' });
    expect(await verifier.verify(access)).toEqual(claims);
    expect(verifyAsync).toHaveBeenCalledTimes(1);
  });

  it('refuses a token at its exp by default, even though it was verified before', async () => {
    const { verifier } = setUp();
    const access = token(first, 10);
    await verifier.verify(access);
    now += 10_000 - 1;
    await expect(verifier.verify(access)).resolves.toMatchObject({ sub: 'user-1' });
    now += 1;
    await unauthorized(verifier.verify(access));
  });

  it(`with JWT_CLOCK_TOLERANCE_S=${TOLERANCE_S}, refuses a token that long after its exp, even though it was verified before`, async () => {
    const { verifier, verifyAsync } = setUp(TOLERANCE_S);
    const access = token(first, 10);
    await verifier.verify(access);

    now += (10 + TOLERANCE_S) * 1000 - 1;
    await expect(verifier.verify(access)).resolves.toMatchObject({ sub: 'user-1' });
    expect(verifyAsync).toHaveBeenCalledTimes(1); // still from memory, as a fresh verify would answer the same
    now += 1;
    await unauthorized(verifier.verify(access));
  });

  it(`with JWT_CLOCK_TOLERANCE_S=${TOLERANCE_S}, accepts a token whose exp passed less than that ago when first seen, and no later one`, async () => {
    const { verifier } = setUp(TOLERANCE_S);
    await expect(verifier.verify(token(first, 1 - TOLERANCE_S))).resolves.toMatchObject({ sub: 'user-1' });
    await unauthorized(verifier.verify(token(first, -TOLERANCE_S)));
  });

  it(`refuses a token issued more than the tolerance plus ${IAT_AHEAD_S} s in the future, or with no iat`, async () => {
    const { verifier } = setUp(TOLERANCE_S);
    const nowS = Math.floor(now / 1000);
    const ahead = TOLERANCE_S + IAT_AHEAD_S;
    await expect(verifier.verify(token(first, 900, { iat: nowS + ahead }))).resolves.toMatchObject({ sub: 'user-1' });
    await unauthorized(verifier.verify(token(first, 900, { iat: nowS + ahead + 1 })));
    await expect(setUp().verifier.verify(token(first, 900, { iat: nowS + IAT_AHEAD_S }))).resolves.toMatchObject({ sub: 'user-1' });
    await unauthorized(verifier.verify(token(first, 900, { iat: nowS + 86_400 })));
    const noIat = new JwtService({ privateKey: first.privateKey }).sign(
      { sub: 'user-1', sid: 's', exp: nowS + 60 },
      { algorithm: 'ES256', keyid: first.kid, issuer: ISSUER, audience: AUDIENCE, noTimestamp: true },
    );
    await unauthorized(verifier.verify(noIat));
  });

  it('verifies a long-lived token again after a minute', async () => {
    const { verifier, verifyAsync } = setUp();
    const access = token(first, 3600);
    await verifier.verify(access);

    now += VERIFIED_TOKENS_MAX_AGE_MS - 1;
    await verifier.verify(access);
    expect(verifyAsync).toHaveBeenCalledTimes(1);
    now += 1;
    await verifier.verify(access);
    expect(verifyAsync).toHaveBeenCalledTimes(2);
  });

  it('forgets every verified token when the key set changes, so a withdrawn key stops working at once', async () => {
    const { verifier, identity, keys } = setUp();
    const access = token(first);
    await verifier.verify(access);

    identity.published = [second.jwk];
    now += 10_000;
    expect(await keys.get('key-2')).toBeDefined();
    await unauthorized(verifier.verify(access));
    await expect(verifier.verify(token(second))).resolves.toMatchObject({ sub: 'user-1' });
  });

  it('refuses a token verified before once a timed refresh finds its key retired', async () => {
    jest.useFakeTimers({ doNotFake: ['Date'] });
    const { verifier, identity, keys } = setUp();
    keys.onApplicationBootstrap();
    try {
      const access = token(first, 3600);
      await verifier.verify(access);
      identity.published = [second.jwk];
      await jest.advanceTimersByTimeAsync(JWKS_MAX_AGE_S * 1000);
      await unauthorized(verifier.verify(access));
    } finally {
      keys.onModuleDestroy();
      jest.useRealTimers();
    }
  });

  it('never remembers a token that failed, whatever the reason', async () => {
    const { verifier, verifyAsync } = setUp();
    const forged = `${token().slice(0, -4)}AAAA`;
    const wrongAudience = new JwtService({ privateKey: first.privateKey }).sign(
      { sub: 'user-1', sid: 's', exp: Math.floor(now / 1000) + 60 },
      { algorithm: 'ES256', keyid: first.kid, issuer: ISSUER, audience: 'someone-else' },
    );
    for (const bad of [forged, forged, wrongAudience, wrongAudience]) await unauthorized(verifier.verify(bad));
    expect(verifyAsync).toHaveBeenCalledTimes(4);
  });

  it('passes on a failure to fetch the keys as it is (503), and remembers nothing', async () => {
    const { verifier, identity, verifyAsync } = setUp();
    identity.send = async () => {
      throw new AppError(ErrorCode.ServiceUnavailable, 'identity is down');
    };
    const access = token();
    for (let i = 0; i < 2; i++) await expect(verifier.verify(access)).rejects.toMatchObject({ code: 'SERVICE_UNAVAILABLE' });
    expect(verifyAsync).toHaveBeenCalledTimes(2);
  });

  it('holds a bounded number of tokens, dropping the least recently used', async () => {
    const { verifier, verifyAsync } = setUp();
    // The signature check is not what this is about: a stand-in that accepts any token as its own sub.
    verifyAsync.mockImplementation(async (t: string) => ({ sub: t, sid: 's', iat: 0, exp: now / 1000 + 900 }) as AccessClaims as never);
    const tokens = Array.from({ length: VERIFIED_TOKENS_MAX + 1 }, (_, i) => `t${i}`);
    for (const t of tokens) await verifier.verify(t);
    expect(verifyAsync).toHaveBeenCalledTimes(tokens.length);

    await verifier.verify(tokens.at(-1)!);
    expect(verifyAsync).toHaveBeenCalledTimes(tokens.length);
    await verifier.verify(tokens[0]);
    expect(verifyAsync).toHaveBeenCalledTimes(tokens.length + 1);
  });
});
