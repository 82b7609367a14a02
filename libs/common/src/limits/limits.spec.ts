import { jest } from '@jest/globals';
import { Logger } from '@nestjs/common';
import { register } from 'prom-client';
import { Limits } from './limits.js';

const options = { name: 'spec', points: 2, durationSeconds: 60 };

async function metricValue(name: string): Promise<number> {
  const metric = await register.getSingleMetric(name)?.get();
  return metric?.values.reduce((sum, { value }) => sum + value, 0) ?? 0;
}

describe('Limiter in memory (no REDIS_URL)', () => {
  it('allows `points` hits per key, then refuses with the seconds left in the window', async () => {
    const limiter = Limits.inMemory().limiter(options);
    expect(await limiter.hit('a')).toMatchObject({ allowed: true, used: 1 });
    expect(await limiter.hit('a')).toMatchObject({ allowed: true, used: 2 });
    expect(await limiter.hit('a')).toMatchObject({ allowed: false, used: 3, retryAfterSeconds: 60 });
    expect(await limiter.hit('b')).toMatchObject({ allowed: true, used: 1 });
  });

  it('adds without refusing, reports the state, and clears a key', async () => {
    const limiter = Limits.inMemory().limiter(options);
    for (let i = 0; i < 5; i++) await limiter.add('a');
    expect(await limiter.state('a')).toMatchObject({ used: 5 });
    await limiter.clear('a');
    expect(await limiter.state('a')).toEqual({ used: 0, retryAfterSeconds: 1 });
  });

  it('hands out one limiter per name, so every user of a limit shares its counts', () => {
    const limits = Limits.inMemory();
    expect(limits.limiter(options)).toBe(limits.limiter(options));
    expect(limits.limiter({ ...options, name: 'other' })).not.toBe(limits.limiter(options));
  });
});

describe('Limiter with Redis unreachable', () => {
  let limits: Limits;
  let warn: jest.SpiedFunction<Logger['warn']>;

  beforeEach(async () => {
    warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    jest.spyOn(Logger.prototype, 'log').mockImplementation(() => undefined);
    // Nothing listens on port 1: every connection attempt is refused at once.
    limits = await Limits.connect('redis://127.0.0.1:1');
  });
  afterEach(() => {
    limits.onApplicationShutdown();
    jest.restoreAllMocks();
  });

  it('answers from this process memory, never rejects, and counts each fallback', async () => {
    const before = await metricValue('rate_limit_fallback_total');
    const limiter = limits.limiter(options);
    expect(await limiter.hit('a')).toMatchObject({ allowed: true, used: 1 });
    expect(await limiter.hit('a')).toMatchObject({ allowed: true, used: 2 });
    expect(await limiter.hit('a')).toMatchObject({ allowed: false, retryAfterSeconds: 60 });
    await limiter.add('b');
    expect(await limiter.state('b')).toMatchObject({ used: 1 });
    await limiter.clear('b');
    expect(await metricValue('rate_limit_fallback_total')).toBe(before + 6);
    expect(await metricValue('rate_limit_store_up')).toBe(0);
  });

  it('logs the outage once, however many reconnects fail, without the URL credentials', async () => {
    limits.store!.close();
    const store = (await Limits.connect('redis://gate:s3cret@127.0.0.1:1')).store!;
    warn.mockClear();
    for (let i = 0; i < 5; i++) store.client.emit('error', new Error('connect ECONNREFUSED 127.0.0.1:1'));
    store.client.emit('close');
    expect(warn).toHaveBeenCalledTimes(0); // the first failed attempt was logged already, before mockClear
    store.client.emit('ready');
    store.client.emit('error', new Error('connect ECONNREFUSED 127.0.0.1:1'));
    expect(warn).toHaveBeenCalledTimes(1);
    expect(String(warn.mock.calls[0][0])).toContain('127.0.0.1:1');
    expect(String(warn.mock.calls[0][0])).not.toContain('s3cret');
    store.close();
  });
});
