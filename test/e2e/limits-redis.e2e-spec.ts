// Limits shared through Redis: 3 user replicas and 2 gateways over NATS, one private Redis
// that the test stops and starts again.
import { Redis } from 'ioredis';
import { logsFlushed } from '../support/logs.js';
import { startApp, type AppProcess } from '../../scripts/system/app-process.js';
import { freePorts } from '../../scripts/system/ports.js';
import { projectRoot } from '../../scripts/system/system.js';
import { binary, brokerOrSkip, NATS_URL, privateNats, privateRedis, type Broker, type RestartableBroker } from '../support/brokers.js';
import { startGatehouse, STRONG_PASSWORD, uniqueName, type TestGatehouse } from '../support/gatehouse.js';
import { HttpClient, type HttpResult } from '../support/http-client.js';

const MAX_FAILURES = 6;
const WINDOW_SECONDS = 300;
const IP_LIMIT = 40;
const USER_REPLICAS = ['user', 'user-2', 'user-3'];

/** Replicas that handled a `user.verify_credentials` since log line `since`. */
function verifiersSince(gh: TestGatehouse, since: number): Set<string> {
  const labels = new Set<string>();
  for (const line of gh.logs.slice(since)) {
    const match = /^\[(user(?:-\d)?)\] (\{.*\})$/.exec(line);
    if (match && match[2].includes('"user.verify_credentials"') && /message (handled|refused)/.test(match[2])) labels.add(match[1]);
  }
  return labels;
}

async function waitFor(what: string, check: () => boolean | Promise<boolean>, timeoutMs = 15_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Lines of `label` (gateway, gateway-2, user, …) that mention `text`. */
const linesOf = (gh: TestGatehouse, label: string, text: string) =>
  gh.logs.filter((line) => line.startsWith(`[${label}] `) && line.includes(text));

const redisSkipped = !binary('redis-server');
if (redisSkipped) {
  process.stdout.write(
    'SKIPPED: "limits shared through Redis" needs the redis-server binary, to run a Redis the test can stop ' +
      '(e.g. apt-get install -y redis-server).\n',
  );
}

if (!redisSkipped && (await brokerOrSkip('NATS', NATS_URL, 'limits shared through Redis'))) {
  let nats: Broker;
  let redis: RestartableBroker;
  let gh: TestGatehouse;
  let second: AppProcess;
  let gateways: HttpClient[];
  let inspect: Redis;
  const statuses: number[] = [];

  /** Every answer of the file is recorded: none may be a 5xx. */
  const record = (res: HttpResult) => {
    statuses.push(res.status);
    return res;
  };
  const login = async (username: string, password: string, via = 0) => record(await gateways[via].post('/login', { username, password }));
  const register = async (username: string) =>
    expect((await record(await gateways[0].post('/register', { username, password: STRONG_PASSWORD }))).status).toBe(201);
  const metrics = async (port: string) => (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  const storeUp = (value: 0 | 1) => new RegExp(`^rate_limit_store_up(\\{[^}]*\\})? ${value}$`, 'm');

  beforeAll(async () => {
    nats = await privateNats();
    redis = (await privateRedis())!;
    gh = await startGatehouse(
      {
        TRANSPORT: 'nats',
        NATS_URL: nats.url,
        REDIS_URL: redis.url,
        LOGIN_MAX_FAILURES: String(MAX_FAILURES),
        LOGIN_FAILURE_WINDOW_SECONDS: String(WINDOW_SECONDS),
        AUTH_RATE_LIMIT: String(IP_LIMIT),
      },
      { replicas: { user: 3 } },
    );
    const [port, metricsPort] = await freePorts(2);
    second = await startApp({
      root: projectRoot(),
      name: 'gateway',
      label: 'gateway-2',
      env: { ...gh.system.envOf('gateway'), GATEWAY_PORT: String(port), GATEWAY_METRICS_PORT: String(metricsPort) },
      log: (source, line) => gh.logs.push(`[${source}] ${line}`),
    });
    gateways = [gh.http, new HttpClient(`http://127.0.0.1:${port}`)];
    inspect = new Redis(redis.url, { lazyConnect: true, maxRetriesPerRequest: 1 });
  }, 120_000);
  afterAll(async () => {
    inspect?.disconnect();
    await second?.stop();
    await gh?.stop();
    await redis?.stop();
    await nats?.stop();
    expect(statuses.filter((status) => status >= 500)).toEqual([]);
  });

  /** Failed logins for `username` until one answers 429; the statuses in order. */
  async function failUntilLocked(username: string, attempts: number): Promise<HttpResult[]> {
    const answers: HttpResult[] = [];
    for (let i = 0; i < attempts; i++) {
      const res = await login(username, 'not-the-password-1', i % 2);
      answers.push(res);
      if (res.status === 429) break;
    }
    return answers;
  }

  it('locks an account after exactly LOGIN_MAX_FAILURES failures spread over the replicas, and only that account', async () => {
    const [victim, bystander] = [uniqueName('lock'), uniqueName('free')];
    await register(victim);
    await register(bystander);
    await logsFlushed();
    const since = gh.logs.length;
    const answers = await failUntilLocked(victim, MAX_FAILURES + 1);
    expect(answers.map((res) => res.status)).toEqual([...Array<number>(MAX_FAILURES).fill(401), 429]);
    const locked = answers[MAX_FAILURES];
    expect(locked.body.code).toBe('RATE_LIMITED');
    const retryAfter = Number(locked.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThan(WINDOW_SECONDS - 30);
    expect(retryAfter).toBeLessThanOrEqual(WINDOW_SECONDS);

    // The right password does not get past the lock either, on any replica; another account is untouched.
    for (let i = 0; i < 3; i++) expect((await login(victim, STRONG_PASSWORD, i % 2)).status).toBe(429);
    expect((await login(bystander, STRONG_PASSWORD)).status).toBe(200);

    await waitFor('the replicas to log their calls', () => verifiersSince(gh, since).size >= 2);
    const replicas = verifiersSince(gh, since);
    process.stdout.write(`failed logins handled by ${[...replicas].join(', ')}\n`);
    expect(replicas.size).toBeGreaterThanOrEqual(2); // 7 calls over 3 replicas: all on one is ~0.05 %
    await inspect.connect();
    expect(await inspect.get(`gatehouse:login:${victim.toLowerCase()}`)).toBe(String(MAX_FAILURES));
  }, 60_000);

  it('counts the per-IP limit in Redis, shared by both gateways', async () => {
    const answers: number[] = [];
    for (let i = 0; i < IP_LIMIT; i++) answers.push((await record(await gateways[i % 2].post('/refresh', { refreshToken: 'x' }))).status);
    expect(answers.filter((status) => status === 429)).toEqual([]);
    // Each gateway has seen only half the limit, yet both now refuse.
    for (const gateway of gateways) {
      const refused = record(await gateway.post('/refresh', { refreshToken: 'x' }));
      expect(refused.status).toBe(429);
      expect(refused.body.code).toBe('RATE_LIMITED');
      expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    }
    const keys = await inspect.keys('gatehouse:ip:/refresh:*');
    expect(keys).toHaveLength(1);
    expect(Number(await inspect.get(keys[0]))).toBe(IP_LIMIT + 2);
    expect(await metrics(gh.system.envOf('gateway').GATEWAY_METRICS_PORT)).toMatch(storeUp(1));
  }, 60_000);

  it('with Redis down, each process counts in its own memory: no 500, the outage logged once per process, then shared again', async () => {
    await logsFlushed();
    const before = gh.logs.length;
    await redis.stop();

    // Per-account: each user replica enforces the limit on the failures it saw itself.
    const account = uniqueName('down');
    await register(account);
    const answers = await failUntilLocked(account, 3 * MAX_FAILURES + 1);
    const failures = answers.filter((res) => res.status === 401).length;
    process.stdout.write(`during the outage: ${failures} failures before the first 429\n`);
    expect(failures).toBeGreaterThanOrEqual(MAX_FAILURES);
    expect(failures).toBeLessThanOrEqual(3 * MAX_FAILURES);
    expect(answers.at(-1)!.status).toBe(429);
    expect(answers.at(-1)!.headers.get('retry-after')).toBeTruthy();

    // Per-IP: /refresh was exhausted in Redis; each gateway's memory starts afresh, and counts alone.
    for (let i = 0; i < IP_LIMIT; i++)
      expect((await record(await gateways[0].post('/refresh', { refreshToken: 'x' }))).status).not.toBe(429);
    expect((await record(await gateways[0].post('/refresh', { refreshToken: 'x' }))).status).toBe(429);
    expect((await record(await gateways[1].post('/refresh', { refreshToken: 'x' }))).status).not.toBe(429);

    for (const label of ['gateway', 'gateway-2', ...USER_REPLICAS]) {
      expect(linesOf(gh, label, 'is unreachable').length).toBe(1);
    }
    await logsFlushed();
    expect(gh.logs.slice(before).filter((line) => /could not be checked|INTERNAL_ERROR/.test(line))).toEqual([]);
    const text = await metrics(gh.system.envOf('gateway').GATEWAY_METRICS_PORT);
    expect(text).toMatch(storeUp(0));
    expect(Number(/^rate_limit_fallback_total\{[^}]*limit="ip"[^}]*\} (\d+)$/m.exec(text)?.[1])).toBeGreaterThan(IP_LIMIT);

    // Back: every process says so once, and the limits are shared again (Redis kept nothing: a fresh count).
    await redis.start();
    for (const label of ['gateway', 'gateway-2', ...USER_REPLICAS]) {
      await waitFor(`${label} to reconnect`, () => linesOf(gh, label, 'reachable again').length === 1);
    }
    const again = uniqueName('back');
    await register(again);
    const shared = await failUntilLocked(again, MAX_FAILURES + 1);
    expect(shared.map((res) => res.status)).toEqual([...Array<number>(MAX_FAILURES).fill(401), 429]);
    expect(await metrics(gh.system.envOf('gateway').GATEWAY_METRICS_PORT)).toMatch(storeUp(1));
  }, 90_000);
} else if (!redisSkipped) {
  describe.skip('limits shared through Redis (no NATS server answers)', () => {
    it('runs when NATS_URL answers', () => undefined);
  });
} else {
  describe.skip('limits shared through Redis (no redis-server binary)', () => {
    it('runs with redis-server on PATH', () => undefined);
  });
}
