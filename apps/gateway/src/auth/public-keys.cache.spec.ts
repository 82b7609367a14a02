import { generateKeyPairSync, KeyObject } from 'node:crypto';
import { jest } from '@jest/globals';
import { Logger } from '@nestjs/common';
import { IdentityPatterns, type PublicKeySet } from '#contracts/identity';
import type { IdentityClient } from '../rpc/clients.js';
import { JWKS_MAX_AGE_S, PublicKeysCache } from './public-keys.cache.js';

/** A real P-256 verification key as identity publishes it. */
function signingKey(kid: string, alg = 'ES256') {
  const { publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  return { publicKey, jwk: { ...publicKey.export({ format: 'jwk' }), kid, alg } };
}

const first = signingKey('key-1');
const second = signingKey('key-2');

/** Identity's `identity.public_keys` handler: answers `published`, at once or when `release` is called. */
class FakeIdentity {
  readonly calls: unknown[][] = [];
  published: PublicKeySet['keys'] = [first.jwk];
  failure?: Error;
  private readonly held: Array<() => void> = [];
  hold = false;

  async send(...args: unknown[]): Promise<PublicKeySet> {
    this.calls.push(args);
    if (this.hold) await new Promise<void>((resolve) => this.held.push(resolve));
    if (this.failure) throw this.failure;
    return { keys: this.published };
  }

  release(): void {
    for (const resolve of this.held.splice(0)) resolve();
  }
}

let now: number;
beforeEach(() => {
  now = 1_800_000_000_000;
  jest.spyOn(Date, 'now').mockImplementation(() => now);
});
afterEach(() => jest.restoreAllMocks());

function setUp() {
  const identity = new FakeIdentity();
  return { identity, cache: new PublicKeysCache(identity as unknown as IdentityClient) };
}

describe('PublicKeysCache', () => {
  it("fetches identity's keys once and answers a known kid with its KeyObject", async () => {
    const { identity, cache } = setUp();

    const key = await cache.get('key-1');

    expect(key).toBeInstanceOf(KeyObject);
    expect(key!.type).toBe('public');
    expect(key!.equals(first.publicKey)).toBe(true);
    expect(identity.calls).toEqual([[IdentityPatterns.PublicKeys, {}, { retry: true }]]);
    now += 60_000;
    expect(await cache.get('key-1')).toBe(key);
    expect(identity.calls).toHaveLength(1);
  });

  it('re-fetches for an unknown kid, but not more often than every 5 s', async () => {
    const { identity, cache } = setUp();
    await cache.get('key-1');
    identity.published = [first.jwk, second.jwk];

    now += 1_000;
    expect(await cache.get('key-2')).toBeUndefined();
    now += 3_999;
    expect(await cache.get('key-2')).toBeUndefined();
    expect(identity.calls).toHaveLength(1);

    now += 1;
    const key = await cache.get('key-2');
    expect(key!.equals(second.publicKey)).toBe(true);
    expect(identity.calls).toHaveLength(2);

    for (const forged of ['forged-1', 'forged-2', 'forged-3']) expect(await cache.get(forged)).toBeUndefined();
    expect(identity.calls).toHaveLength(2);
    expect(await cache.get('key-1')).toBeDefined();
  });

  it('forgets keys identity no longer publishes', async () => {
    const { identity, cache } = setUp();
    await cache.get('key-1');
    identity.published = [second.jwk];
    now += 5_000;
    await cache.get('key-2');
    expect(await cache.get('key-1')).toBeUndefined();
  });

  it('lets concurrent misses share one fetch', async () => {
    const { identity, cache } = setUp();
    identity.published = [first.jwk, second.jwk];
    identity.hold = true;

    const pending = [cache.get('key-1'), cache.get('key-2'), cache.get('key-1'), cache.get('forged')];
    identity.release();
    const [a, b, c, forged] = await Promise.all(pending);

    expect(identity.calls).toHaveLength(1);
    expect(a!.equals(first.publicKey)).toBe(true);
    expect(b!.equals(second.publicKey)).toBe(true);
    expect(c).toBe(a);
    expect(forged).toBeUndefined();
  });

  it('ignores keys published for another algorithm', async () => {
    const { identity, cache } = setUp();
    const { jwk: withoutAlg } = signingKey('no-alg');
    delete (withoutAlg as { alg?: string }).alg;
    identity.published = [signingKey('rs-key', 'RS256').jwk, signingKey('hs-key', 'HS256').jwk, withoutAlg, first.jwk];

    expect(await cache.get('rs-key')).toBeUndefined();
    expect(await cache.get('hs-key')).toBeUndefined();
    expect(await cache.get('no-alg')).toBeUndefined();
    expect(await cache.get('key-1')).toBeDefined();
    expect(identity.calls).toHaveLength(1);
  });

  it('is not wedged by a failed fetch: the error reaches the caller and the next miss fetches again', async () => {
    const { identity, cache } = setUp();
    identity.failure = new Error('identity unreachable');
    await expect(cache.get('key-1')).rejects.toThrow('identity unreachable');

    identity.failure = undefined;
    now += 1;
    expect(await cache.get('key-1')).toBeDefined();
    expect(identity.calls).toHaveLength(2);
  });
});

describe('PublicKeysCache.publicJwks', () => {
  it('answers the ES256 keys with their public members only, from the same fetch that verification uses', async () => {
    const { identity, cache } = setUp();
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const leaky = { ...privateKey.export({ format: 'jwk' }), kid: 'leaky', alg: 'ES256' };
    identity.published = [first.jwk, leaky, signingKey('rs-key', 'RS256').jwk];

    const { keys } = await cache.publicJwks();

    expect(keys.map((key) => key.kid)).toEqual(['key-1', 'leaky']);
    for (const key of keys) expect(Object.keys(key).sort()).toEqual(['alg', 'crv', 'kid', 'kty', 'use', 'x', 'y']);
    expect(keys[0]).toMatchObject({ kty: 'EC', crv: 'P-256', alg: 'ES256', use: 'sig', x: first.jwk.x, y: first.jwk.y });
    expect(await cache.get('key-1')).toBeDefined();
    expect(identity.calls).toHaveLength(1);
  });

  it(`asks identity again once its copy is ${JWKS_MAX_AGE_S} s old, not before`, async () => {
    const { identity, cache } = setUp();
    await cache.publicJwks();
    identity.published = [second.jwk];
    now += JWKS_MAX_AGE_S * 1000 - 1;
    expect((await cache.publicJwks()).keys.map((key) => key.kid)).toEqual(['key-1']);
    now += 1;
    expect((await cache.publicJwks()).keys.map((key) => key.kid)).toEqual(['key-2']);
    expect(identity.calls).toHaveLength(2);
  });

  it('serves the last key set while identity is unreachable, and fails only when it never had one', async () => {
    const { identity, cache } = setUp();
    identity.failure = new Error('identity unreachable');
    await expect(cache.publicJwks()).rejects.toThrow('identity unreachable');

    identity.failure = undefined;
    await cache.publicJwks();
    identity.failure = new Error('identity unreachable');
    now += JWKS_MAX_AGE_S * 1000;
    expect((await cache.publicJwks()).keys.map((key) => key.kid)).toEqual(['key-1']);
    expect(identity.calls).toHaveLength(3);
  });
});

describe('PublicKeysCache, refreshed on a timer', () => {
  const AGE_MS = JWKS_MAX_AGE_S * 1000;
  let cache: PublicKeysCache | undefined;
  beforeEach(() => jest.useFakeTimers({ doNotFake: ['Date'] }));
  afterEach(() => {
    cache?.onModuleDestroy();
    jest.useRealTimers();
  });

  function started() {
    const setup = setUp();
    cache = setup.cache;
    cache.onApplicationBootstrap();
    return setup;
  }

  it(`drops a key identity retired within ${JWKS_MAX_AGE_S} s, though no token ever named an unknown kid`, async () => {
    const { identity } = started();
    expect(await cache!.get('key-1')).toBeDefined();
    const generation = cache!.generation;
    identity.published = [second.jwk];

    await jest.advanceTimersByTimeAsync(AGE_MS - 1);
    expect(await cache!.get('key-1')).toBeDefined();
    await jest.advanceTimersByTimeAsync(1);
    expect(await cache!.get('key-1')).toBeUndefined();
    expect(cache!.generation).toBe(generation + 1);
    expect(identity.calls).toHaveLength(2);
  });

  it('keeps the last good key set through failed refreshes, logging the outage once', async () => {
    const warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    const { identity } = started();
    const key = await cache!.get('key-1');
    const generation = cache!.generation;
    identity.failure = new Error('identity unreachable');

    await jest.advanceTimersByTimeAsync(3 * AGE_MS);
    expect(identity.calls).toHaveLength(4);
    expect(await cache!.get('key-1')).toBe(key);
    expect(cache!.generation).toBe(generation);
    expect(warn).toHaveBeenCalledTimes(1);
    expect(warn).toHaveBeenCalledWith(expect.stringContaining('identity unreachable'));

    identity.failure = undefined;
    identity.published = [second.jwk];
    await jest.advanceTimersByTimeAsync(AGE_MS);
    expect(await cache!.get('key-1')).toBeUndefined();
    identity.failure = new Error('down again');
    await jest.advanceTimersByTimeAsync(AGE_MS);
    expect(warn).toHaveBeenCalledTimes(2);
  });

  it('does not keep the process alive with its timer, and stops refreshing on shutdown', async () => {
    const setInterval = jest.spyOn(global, 'setInterval');
    const { identity } = started();
    expect((setInterval.mock.results[0].value as NodeJS.Timeout).hasRef()).toBe(false);
    cache!.onModuleDestroy();
    expect(jest.getTimerCount()).toBe(0);
    await jest.advanceTimersByTimeAsync(3 * AGE_MS);
    expect(identity.calls).toHaveLength(0);
  });
});
