import { generateKeyPairSync } from 'node:crypto';
import { jest } from '@jest/globals';
import { Logger } from '@nestjs/common';
import type { IdentityConfig } from '../identity.config.js';
import { HEARTBEAT_MS, PublishedKeys, RELOAD_TIMEOUT_MS } from './published-keys.js';
import type { PublicEcJwk } from './verification-key.entity.js';
import type { VerificationKeysRepository } from './verification-keys.repository.js';

const ACCESS_TOKEN_TTL = 900;

const publicJwk = (): PublicEcJwk => generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ format: 'jwk' });

/** verification_keys in memory, with a clock the test moves. */
class FakeKeys {
  now = 1_800_000_000_000;
  failing = false;
  stalled = false;
  readonly rows = new Map<string, { publicJwk: PublicEcJwk; lastActiveAt: number }>();
  readonly windows: number[] = [];

  async markActive(kid: string, jwk: PublicEcJwk): Promise<void> {
    if (this.failing) throw new Error('database down');
    this.rows.set(kid, { publicJwk: jwk, lastActiveAt: this.now });
  }

  async activeWithin(seconds: number) {
    if (this.failing) throw new Error('database down');
    if (this.stalled) await new Promise(() => undefined);
    this.windows.push(seconds);
    return [...this.rows]
      .filter(([, row]) => row.lastActiveAt > this.now - seconds * 1000)
      .map(([kid, { publicJwk }]) => ({ kid, publicJwk }));
  }
}

function setUp() {
  const keys = new FakeKeys();
  const published = new PublishedKeys(keys as unknown as VerificationKeysRepository, { ACCESS_TOKEN_TTL } as IdentityConfig);
  return { keys, published };
}

let published: PublishedKeys | undefined;
beforeEach(() => jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined));
afterEach(() => {
  published?.onModuleDestroy();
  jest.useRealTimers();
  jest.restoreAllMocks();
});

describe('PublishedKeys', () => {
  it('publishes its own key as an ES256 signing JWK with public members only, and records it as in use', async () => {
    const setup = setUp();
    published = setup.published;
    const own = { ...publicJwk(), d: 'private' } as PublicEcJwk;

    await published.start('own', own);

    const { keys } = await published.current();
    expect(keys).toEqual([{ kid: 'own', kty: 'EC', crv: 'P-256', x: own.x, y: own.y, alg: 'ES256', use: 'sig' }]);
    expect(setup.keys.rows.has('own')).toBe(true);
  });

  it('keeps publishing a key signed with before a key change while its tokens may live, then drops it', async () => {
    const { keys, published: service } = setUp();
    published = service;
    keys.rows.set('old', { publicJwk: publicJwk(), lastActiveAt: keys.now - 60_000 });

    await published.start('new', publicJwk());
    expect((await published.current()).keys.map((key) => key.kid)).toEqual(['new', 'old']);
    expect(keys.windows.at(-1)).toBe(ACCESS_TOKEN_TTL + (2 * HEARTBEAT_MS) / 1000);

    keys.now += ACCESS_TOKEN_TTL * 1000 + HEARTBEAT_MS;
    expect((await published.current()).keys.map((key) => key.kid)).toEqual(['new']);
  });

  it('publishes the key of another replica that started since, at the next ask', async () => {
    const { keys, published: service } = setUp();
    published = service;
    await published.start('mine', publicJwk());
    keys.rows.set('theirs', { publicJwk: publicJwk(), lastActiveAt: keys.now });
    expect((await published.current()).keys.map((key) => key.kid)).toEqual(['mine', 'theirs']);
  });

  it('answers the set last read while the database is down, never an empty one', async () => {
    const { keys, published: service } = setUp();
    published = service;
    keys.rows.set('other', { publicJwk: publicJwk(), lastActiveAt: keys.now });
    await published.start('mine', publicJwk());
    keys.failing = true;
    expect((await published.current()).keys.map((key) => key.kid)).toEqual(['mine', 'other']);
  });

  it('answers the set last read, in time, when the database stalls', async () => {
    const { keys, published: service } = setUp();
    published = service;
    await published.start('mine', publicJwk());
    keys.stalled = true;
    jest.useFakeTimers();
    const answer = published.current();
    await jest.advanceTimersByTimeAsync(RELOAD_TIMEOUT_MS);
    expect((await answer).keys.map((key) => key.kid)).toEqual(['mine']);
  });

  it('renews its own key every heartbeat, so it is never dropped while in use', async () => {
    jest.useFakeTimers();
    const { keys, published: service } = setUp();
    published = service;
    await published.start('mine', publicJwk());
    const started = keys.rows.get('mine')!.lastActiveAt;

    keys.now += HEARTBEAT_MS;
    await jest.advanceTimersByTimeAsync(HEARTBEAT_MS);

    expect(keys.rows.get('mine')!.lastActiveAt).toBe(started + HEARTBEAT_MS);
  });
});
