import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createServer, connect, type AddressInfo, type Socket } from 'node:net';
import { startApp } from '../../scripts/system/app-process.js';
import { freePorts } from '../../scripts/system/ports.js';
import { projectRoot } from '../../scripts/system/system.js';
import { startGatehouse, STRONG_PASSWORD, uniqueName, type TestGatehouse } from '../support/gatehouse.js';
import { HttpClient } from '../support/http-client.js';
import { callPattern } from '../support/tcp-peer.js';
import { until } from '../support/until.js';

const RPC_TIMEOUT_MS = 1500;
let gh: TestGatehouse;

beforeAll(async () => {
  gh = await startGatehouse({ RPC_TIMEOUT_MS: String(RPC_TIMEOUT_MS) });
});
afterAll(async () => {
  await gh?.stop();
});

const register = () => gh.http.post('/register', { username: uniqueName('flt'), password: STRONG_PASSWORD });

async function timed<T>(work: () => Promise<T>): Promise<[T, number]> {
  const started = performance.now();
  const result = await work();
  return [result, performance.now() - started];
}

/** The process listening on a TCP port, as the OS sees it. */
function listenerPid(port: number): number {
  const out = execFileSync('ss', ['-Hltnp', `sport = :${port}`], { encoding: 'utf8' });
  return Number(/pid=(\d+)/.exec(out)?.[1]);
}

describe('process separation', () => {
  it('runs gateway, user and identity as distinct OS processes, each owning its port', () => {
    const { apps, options } = gh.system;
    const pids = [apps.gateway!.pid, apps.user!.pid, apps.identity!.pid];
    expect(new Set([...pids, process.pid]).size).toBe(4);
    expect(listenerPid(options.ports.gateway)).toBe(apps.gateway!.pid);
    expect(listenerPid(options.ports.user)).toBe(apps.user!.pid);
    expect(listenerPid(options.ports.identity)).toBe(apps.identity!.pid);
  });
});

describe('a service that goes away', () => {
  it('turns a killed user service into a quick 503, and recovers when it is back without a gateway restart', async () => {
    expect((await register()).status).toBe(201);
    const gatewayPid = gh.system.apps.gateway!.pid;

    process.kill(gh.system.apps.user!.pid, 'SIGKILL');
    await gh.system.apps.user!.exited;

    const [down, elapsed] = await timed(register);
    expect(down.status).toBe(503);
    expect(down.body).toMatchObject({ statusCode: 503, code: 'SERVICE_UNAVAILABLE' });
    expect(elapsed).toBeLessThan(RPC_TIMEOUT_MS);

    const health = await gh.http.get('/health');
    expect(health.status).toBe(503);
    expect(health.body.error).toHaveProperty('user');
    expect(health.body.error.user.status).toBe('down');
    expect(health.body.info).toHaveProperty('identity');

    await gh.system.startApp('user');
    expect((await register()).status).toBe(201);
    expect((await gh.http.get('/health')).status).toBe(200);
    expect(gh.system.apps.gateway!.pid).toBe(gatewayPid);
  });

  it('turns a stalled service into 504 after RPC_TIMEOUT_MS, and serves again once it resumes', async () => {
    const pid = gh.system.apps.identity!.pid;
    process.kill(pid, 'SIGSTOP');
    try {
      const [stalled, elapsed] = await timed(register);
      expect(stalled.status).toBe(504);
      expect(stalled.body.code).toBe('UPSTREAM_TIMEOUT');
      expect(elapsed).toBeGreaterThanOrEqual(RPC_TIMEOUT_MS - 50);
      expect(elapsed).toBeLessThan(RPC_TIMEOUT_MS + 2000);
    } finally {
      process.kill(pid, 'SIGCONT');
    }
    expect((await register()).status).toBe(201);
  });

  it('starts the gateway while a service is down, reports it in /health, and connects when it appears', async () => {
    await gh.system.apps.gateway!.stop();
    await gh.system.apps.identity!.stop();
    await gh.system.startApp('gateway');

    const health = await gh.http.get('/health');
    expect(health.status).toBe(503);
    expect(health.body).toMatchObject({ status: 'error', code: 'SERVICE_UNAVAILABLE' });
    expect(health.body.message).toContain('identity');
    expect((await register()).status).toBe(503);

    await gh.system.startApp('identity');
    expect((await gh.http.get('/health')).status).toBe(200);
    expect((await register()).status).toBe(201);
  });
});

describe('a registration its client does not hear of', () => {
  const attempt = (username: string) => gh.http.post('/register', { username, password: STRONG_PASSWORD });

  it('leaves no account when identity is down: the same username registers once it is back', async () => {
    const username = uniqueName('idd');
    process.kill(gh.system.apps.identity!.pid, 'SIGKILL');
    await gh.system.apps.identity!.exited;
    try {
      const down = await attempt(username);
      expect(down.body).toMatchObject({ statusCode: 503, code: 'SERVICE_UNAVAILABLE' });
    } finally {
      await gh.system.startApp('identity');
    }
    expect((await gh.http.post('/login', { username, password: STRONG_PASSWORD })).status).toBe(401);
    expect((await attempt(username)).status).toBe(201);
  });

  it('leaves no account when identity stalls past the timeout', async () => {
    const username = uniqueName('ids');
    const pid = gh.system.apps.identity!.pid;
    process.kill(pid, 'SIGSTOP');
    try {
      const stalled = await attempt(username);
      expect(stalled.body).toMatchObject({ statusCode: 504, code: 'UPSTREAM_TIMEOUT' });
    } finally {
      process.kill(pid, 'SIGCONT');
    }
    // The gateway discarded the account when identity did not answer; identity, awake again, refuses the queued call as late.
    expect((await attempt(username)).status).toBe(201);
  });

  it('is made by the user service under the id its caller chose, and discarded by that id', async () => {
    const id = randomUUID();
    const username = uniqueName('idl');
    const userPort = gh.system.options.ports.user;
    const made = await callPattern(userPort, 'user.register', { username, password: STRONG_PASSWORD, id });
    expect(made.response).toMatchObject({ id, username });
    const again = await callPattern(userPort, 'user.register', { username: uniqueName('idl'), password: STRONG_PASSWORD, id });
    expect(again.err).toMatchObject({ status: 400, code: 'VALIDATION_FAILED', message: 'id is already in use' });
    expect((await callPattern(userPort, 'user.discard_registration', { id })).response).toEqual({ discarded: true });
    expect((await attempt(username)).status).toBe(201);
  });

  it('discards only an account nobody has used: one that has logged in stays', async () => {
    const made = await attempt(uniqueName('idu'));
    const login = await gh.http.post('/login', { username: made.body.user.username, password: STRONG_PASSWORD });
    await until(
      'the login recorded',
      async () => (await gh.http.get('/me', gh.http.bearer(login.body.accessToken))).body.lastLoginAt !== null,
      5_000,
    );
    const reply = await callPattern(gh.system.options.ports.user, 'user.discard_registration', { id: made.body.user.id });
    expect(reply.response).toEqual({ discarded: false });
    expect((await gh.http.get('/me', gh.http.bearer(login.body.accessToken))).status).toBe(200);
  });
});

/**
 * Between a gateway and a service: requests pass at once, and each reply goes
 * to `onReply`, which passes it on to the gateway, later or not at all, as a
 * network might. Records the replies it saw.
 */
async function replyProxy(
  upstreamPort: number,
  onReply: (chunk: Buffer, gateway: Socket) => void,
): Promise<{ port: number; replies: string; close(): void }> {
  const sockets = new Set<Socket>();
  const state = { port: 0, replies: '', close: () => undefined as void };
  const server = createServer((downstream) => {
    const upstream = connect(upstreamPort, '127.0.0.1');
    sockets.add(downstream).add(upstream);
    downstream.on('data', (chunk) => upstream.write(chunk));
    upstream.on('data', (chunk) => {
      state.replies += chunk.toString();
      onReply(chunk, downstream);
    });
    for (const [a, b] of [
      [downstream, upstream],
      [upstream, downstream],
    ])
      a.on('close', () => b.destroy()).on('error', () => b.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  state.port = (server.address() as AddressInfo).port;
  state.close = () => {
    for (const socket of sockets) socket.destroy();
    server.close();
  };
  return state;
}

type ReplyProxy = Awaited<ReturnType<typeof replyProxy>>;

/** A proxy that cuts the gateway's connection once the replies on it contain `marker`; later connections pass. */
function cutOnReply(marker: string): (chunk: Buffer, gateway: Socket) => void {
  const seen = new WeakMap<Socket, string>();
  return (chunk, gateway) => {
    seen.set(gateway, (seen.get(gateway) ?? '') + chunk.toString());
    if (seen.get(gateway)!.includes(marker)) gateway.destroy();
    else gateway.write(chunk);
  };
}

/**
 * One POST through a second gateway whose `service` is reached through
 * `proxy`; then, with both still up (the gateway's clean-up may be on its
 * way), `afterwards` is awaited. The POST's answer.
 */
async function postVia(service: 'user' | 'identity', proxy: ReplyProxy, path: string, body: object, afterwards: () => Promise<unknown>) {
  const [port] = await freePorts(1);
  const env = {
    ...gh.system.envOf('gateway'),
    GATEWAY_PORT: String(port),
    [service === 'user' ? 'USER_PORT' : 'IDENTITY_PORT']: String(proxy.port),
    GATEWAY_METRICS_PORT: '0',
  };
  const gateway = await startApp({ root: projectRoot(), name: 'gateway', label: 'gateway-2', env, log: () => {} });
  try {
    const answer = await new HttpClient(`http://127.0.0.1:${port}`).post(path, body);
    await afterwards();
    return answer;
  } finally {
    await gateway.stop();
    proxy.close();
  }
}

describe('a register reply that does not reach the gateway', () => {
  /** Registers through a second gateway whose user service is behind `proxy`, until the username is free again; the answer. */
  async function registerThrough(proxy: ReplyProxy, username: string) {
    const lost = await postVia('user', proxy, '/register', { username, password: STRONG_PASSWORD }, () =>
      until(
        'the username free',
        async () => (await gh.http.post('/register', { username, password: STRONG_PASSWORD })).status === 201,
        5_000,
      ),
    );
    // The user service did make the account: only its reply went astray.
    expect(proxy.replies).toContain(`"username":"${username}"`);
    return lost;
  }

  it('in time leaves no account: the gateway discards it by the id it chose', async () => {
    const proxy = await replyProxy(gh.system.options.ports.user, (chunk, gateway) => {
      setTimeout(() => gateway.writable && gateway.write(chunk), RPC_TIMEOUT_MS + 1000);
    });
    const lost = await registerThrough(proxy, uniqueName('lost'));
    expect(lost.body).toMatchObject({ statusCode: 504, code: 'UPSTREAM_TIMEOUT' });
  });

  it('because its connection is lost leaves no account either', async () => {
    const username = uniqueName('cut');
    // The connection that carries the account's reply is cut; the discard comes on a new one, once the call has settled.
    const lost = await registerThrough(await replyProxy(gh.system.options.ports.user, cutOnReply(`"username":"${username}"`)), username);
    expect(lost.body).toMatchObject({ statusCode: 503, code: 'SERVICE_UNAVAILABLE' });
  });
});

describe('a login whose tokens do not reach the gateway', () => {
  it('leaves no session: the gateway ends the one it named', async () => {
    const username = uniqueName('sess');
    const userId = (await gh.http.post('/register', { username, password: STRONG_PASSWORD })).body.user.id;
    const liveSessions = async () =>
      (
        (await callPattern(gh.system.options.ports.identity, 'identity.list_sessions', { userId, currentSessionId: randomUUID() }))
          .response as unknown[]
      ).length;
    expect(await liveSessions()).toBe(1);

    const proxy = await replyProxy(gh.system.options.ports.identity, cutOnReply('"refreshToken"'));
    const lost = await postVia('identity', proxy, '/login', { username, password: STRONG_PASSWORD }, () =>
      until('the unseen session ended', async () => (await liveSessions()) === 1, 5_000),
    );
    expect(lost.body).toMatchObject({ statusCode: 503, code: 'SERVICE_UNAVAILABLE' });
    // Identity did begin the session: only its tokens went astray.
    expect(proxy.replies).toContain('"refreshToken"');
  });

  it('refuses a session id already in use with 400, not 500', async () => {
    const userId = (await gh.http.post('/register', { username: uniqueName('sid'), password: STRONG_PASSWORD })).body.user.id;
    const issue = { userId, credentialsVersion: 0, sessionId: randomUUID() };
    const identityPort = gh.system.options.ports.identity;
    expect((await callPattern(identityPort, 'identity.issue_tokens', issue)).response).toHaveProperty('refreshToken');
    const again = await callPattern(identityPort, 'identity.issue_tokens', issue);
    expect(again.err).toMatchObject({ status: 400, code: 'VALIDATION_FAILED', message: 'sessionId is already in use' });
  });
});

describe('a password change that identity misses', () => {
  it('still ends the other sessions, at their next refresh', async () => {
    const username = uniqueName('pwc');
    const first = (await gh.http.post('/register', { username, password: STRONG_PASSWORD })).body;
    const other = (await gh.http.post('/login', { username, password: STRONG_PASSWORD })).body;
    // The gateway has identity's public keys by now, as any gateway that has served a while has.
    expect((await gh.http.get('/me', gh.http.bearer(first.accessToken))).status).toBe(200);

    process.kill(gh.system.apps.identity!.pid, 'SIGKILL');
    await gh.system.apps.identity!.exited;
    const newPassword = 'quartz-Meadow-58-hollow';
    const change = await gh.http.post(
      '/password/change',
      { currentPassword: STRONG_PASSWORD, newPassword },
      gh.http.bearer(first.accessToken),
    );
    // The password is changed; the revocation that goes with it never reached identity.
    expect(change.status).toBe(503);
    await gh.system.startApp('identity');

    for (const { refreshToken } of [other, first]) {
      const refused = await gh.http.post('/refresh', { refreshToken });
      expect(refused.body).toMatchObject({ statusCode: 401, code: 'INVALID_REFRESH_TOKEN' });
    }
    const again = await gh.http.post('/login', { username, password: newPassword });
    expect(again.status).toBe(200);
    expect((await gh.http.post('/refresh', { refreshToken: again.body.refreshToken })).status).toBe(200);
  });

  it('keeps the session that changed it when identity hears of it', async () => {
    const username = uniqueName('pwk');
    const first = (await gh.http.post('/register', { username, password: STRONG_PASSWORD })).body;
    const other = (await gh.http.post('/login', { username, password: STRONG_PASSWORD })).body;
    const newPassword = 'quartz-Meadow-58-hollow';
    const auth = gh.http.bearer(first.accessToken);
    expect((await gh.http.post('/password/change', { currentPassword: STRONG_PASSWORD, newPassword }, auth)).status).toBe(204);
    expect((await gh.http.post('/refresh', { refreshToken: first.refreshToken })).status).toBe(200);
    expect((await gh.http.post('/refresh', { refreshToken: other.refreshToken })).status).toBe(401);
  });
});
