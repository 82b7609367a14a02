import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { request as httpRequest } from 'node:http';
import pg from 'pg';
import { startGatehouse, STRONG_PASSWORD, uniqueName, type TestGatehouse } from '../support/gatehouse.js';
import { callPattern, frame, openSocket, readReply } from '../support/tcp-peer.js';

// A user service made slow on purpose: cost 11 on two hashing threads, and a
// short call timeout, so a burst of 100 clients is several times what it can
// finish in time (about 40 at that pace on two idle cores).
const RPC_TIMEOUT_MS = 3000;
const CLIENTS = 100;
let gh: TestGatehouse;
beforeAll(async () => {
  gh = await startGatehouse({ BCRYPT_ROUNDS: '11', UV_THREADPOOL_SIZE: '3', RPC_TIMEOUT_MS: String(RPC_TIMEOUT_MS) });
});
afterAll(async () => {
  await gh?.stop();
});

async function usernamesLike(prefix: string): Promise<string[]> {
  const db = await connect('user');
  try {
    const { rows } = await db.query<{ username: string }>('SELECT username FROM users WHERE username LIKE $1', [`${prefix}%`]);
    return rows.map((row) => row.username).sort();
  } finally {
    await db.end();
  }
}

async function connect(service: 'user' | 'identity'): Promise<pg.Client> {
  const db = new pg.Client({ connectionString: gh.system.database!.url(service) });
  await db.connect();
  return db;
}

/** Until a statement of the service's waits on the lock the test's transaction holds: it was sent, in time. */
async function waitForBlockedStatement(db: pg.Client): Promise<void> {
  for (let i = 0; i < 150; i++) {
    const { rows } = await db.query(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE pg_backend_pid() = ANY (pg_blocking_pids(pid))`);
    if (rows[0].n > 0) return;
    await sleep(20);
  }
  throw new Error('no statement waited on the test transaction');
}

interface Outcome {
  status: number;
  code?: string;
  retryAfter: string | null;
}

/** `clients` loops, each sending its next request until `seconds` pass; a 503 is retried after its Retry-After, as a polite client does. */
async function burst(clients: number, seconds: number, send: (client: number, n: number) => Promise<Outcome>): Promise<Outcome[]> {
  const outcomes: Outcome[] = [];
  const until = Date.now() + seconds * 1000;
  await Promise.all(
    Array.from({ length: clients }, async (_, client) => {
      for (let n = 0; Date.now() < until; n++) {
        const outcome = await send(client, n);
        outcomes.push(outcome);
        if (outcome.status === 503 && outcome.retryAfter) await sleep(Math.min(Number(outcome.retryAfter), 2) * 1000);
      }
    }),
  );
  return outcomes;
}

async function post(path: string, body: unknown): Promise<Outcome & { body: any }> {
  const res = await gh.http.post(path, body);
  return { status: res.status, code: res.body?.code, retryAfter: res.headers.get('retry-after'), body: res.body };
}

/** Retries a 503 after its Retry-After (an earlier burst may still fill the queue). */
async function politely(send: () => Promise<Outcome>): Promise<Outcome> {
  for (let attempt = 0; ; attempt++) {
    const outcome = await send();
    if (outcome.status !== 503 || attempt === 10) return outcome;
    await sleep(Number(outcome.retryAfter ?? 1) * 1000);
  }
}

function byStatus(outcomes: Outcome[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const { status, code } of outcomes) counts[`${status} ${code ?? ''}`.trim()] = (counts[`${status} ${code ?? ''}`.trim()] ?? 0) + 1;
  return counts;
}

describe('a burst beyond what bcrypt can finish in time', () => {
  const prefix = uniqueName('bu').slice(0, 20);
  const created = new Set<string>();

  it('answers 201 or a fast 503 SERVICE_OVERLOADED with Retry-After, never 504, and leaves an account exactly for each 201', async () => {
    const outcomes = await burst(CLIENTS, 5, async (client, n) => {
      const username = `${prefix}${client}x${n}`;
      const outcome = await post('/register', { username, password: STRONG_PASSWORD });
      if (outcome.status === 201) created.add(username);
      return outcome;
    });
    const counts = byStatus(outcomes);
    process.stdout.write(`register burst: ${JSON.stringify(counts)}\n`);
    expect(Object.keys(counts).sort()).toEqual(['201', '503 SERVICE_OVERLOADED']);
    for (const outcome of outcomes.filter((o) => o.status === 503)) expect(Number(outcome.retryAfter)).toBeGreaterThanOrEqual(1);
    // Let anything still in the service finish (or be refused) before counting rows.
    await sleep(RPC_TIMEOUT_MS + 500);
    expect(await usernamesLike(prefix)).toEqual([...created].sort());
  });

  it('sheds a login burst the same way', async () => {
    const accounts = [...created];
    expect(accounts.length).toBeGreaterThan(5);
    const outcomes = await burst(CLIENTS, 4, (client, n) =>
      post('/login', { username: accounts[(client + n) % accounts.length], password: STRONG_PASSWORD }),
    );
    const counts = byStatus(outcomes);
    process.stdout.write(`login burst: ${JSON.stringify(counts)}\n`);
    expect(Object.keys(counts).sort()).toEqual(['200', '503 SERVICE_OVERLOADED']);
  });
});

describe('deadlines', () => {
  const userPort = () => gh.system.options.ports.user;
  const registration = (username: string) => ({ username, password: STRONG_PASSWORD });

  it('refuses a call that reaches the service after its deadline, and writes nothing', async () => {
    const username = uniqueName('late');
    const socket = await openSocket(userPort());
    try {
      const metadata = { deadline: String(Date.now() - 1) };
      socket.write(frame({ pattern: 'user.register', data: registration(username), id: 'late-1', metadata }));
      const reply = await readReply(socket, 5000);
      expect(reply.err).toMatchObject({ status: 504, code: 'UPSTREAM_TIMEOUT' });
    } finally {
      socket.destroy();
    }
    expect(await usernamesLike(username)).toEqual([]);
  });

  it('does not commit a registration whose deadline passed while it was hashed', async () => {
    const username = uniqueName('stall');
    const pid = gh.system.apps.user!.pid;
    const socket = await openSocket(userPort());
    try {
      const metadata = { deadline: String(Date.now() + 1200) };
      socket.write(frame({ pattern: 'user.register', data: registration(username), id: 'stall-1', metadata }));
      await sleep(50); // admitted and hashing
      process.kill(pid, 'SIGSTOP');
      await sleep(1500);
      process.kill(pid, 'SIGCONT');
      const reply = await readReply(socket, 5000);
      expect(reply.err).toMatchObject({ status: 504, code: 'UPSTREAM_TIMEOUT' });
    } finally {
      process.kill(pid, 'SIGCONT');
      socket.destroy();
    }
    expect(await usernamesLike(username)).toEqual([]);
  });

  it('undoes a registration whose commit outlasted its deadline', async () => {
    const username = uniqueName('slowc');
    const db = await connect('user');
    const socket = await openSocket(userPort());
    try {
      // A transaction holding the same username: the registration's INSERT waits on it past its deadline.
      await db.query('BEGIN');
      await db.query(`INSERT INTO users (username, password_hash) VALUES ($1, 'held')`, [username]);
      const deadline = Date.now() + 3000;
      socket.write(
        frame({ pattern: 'user.register', data: registration(username), id: 'slowc-1', metadata: { deadline: String(deadline) } }),
      );
      await waitForBlockedStatement(db);
      await sleep(deadline + 200 - Date.now());
      await db.query('ROLLBACK');
      const reply = await readReply(socket, 5000);
      expect(reply.err).toMatchObject({ status: 504, code: 'UPSTREAM_TIMEOUT' });
    } finally {
      socket.destroy();
      await db.end();
    }
    expect(await usernamesLike(username)).toEqual([]);
  });

  it('ends a session whose commit outlasted its deadline', async () => {
    const userId = randomUUID();
    const db = await connect('identity');
    const socket = await openSocket(gh.system.options.ports.identity);
    try {
      await db.query('BEGIN');
      await db.query('LOCK TABLE sessions IN SHARE MODE');
      const deadline = Date.now() + 2000;
      const data = { userId, credentialsVersion: 0 };
      socket.write(frame({ pattern: 'identity.issue_tokens', data, id: 'slowc-2', metadata: { deadline: String(deadline) } }));
      await waitForBlockedStatement(db);
      await sleep(deadline + 200 - Date.now());
      await db.query('COMMIT');
      const reply = await readReply(socket, 5000);
      expect(reply.err).toMatchObject({ status: 504, code: 'UPSTREAM_TIMEOUT' });
      const { rows } = await db.query('SELECT count(*)::int AS live FROM sessions WHERE user_id = $1 AND revoked_at IS NULL', [userId]);
      expect(rows[0].live).toBe(0);
    } finally {
      socket.destroy();
      await db.end();
    }
  });

  it('still serves callers that send no deadline', async () => {
    const reply = await callPattern(userPort(), 'user.register', registration(uniqueName('nodl')));
    expect(reply.err).toBeUndefined();
    expect(reply.response).toMatchObject({ username: expect.any(String) });
  });
});

describe('a client that went away', () => {
  it('is not worked on further: its login issues no session', async () => {
    const username = uniqueName('gone');
    expect((await politely(() => post('/register', { username, password: STRONG_PASSWORD }))).status).toBe(201);
    const issued = async () => {
      const metrics = await fetch(`http://127.0.0.1:${gh.system.envOf('gateway').GATEWAY_METRICS_PORT}/metrics`).then((res) => res.text());
      const line = metrics
        .split('\n')
        .find(
          (l) => l.startsWith('rpc_client_duration_seconds_count{') && l.includes('identity.issue_tokens') && l.includes('outcome="ok"'),
        );
      return Number(line?.split(' ').pop() ?? 0);
    };
    const before = await issued();
    const body = JSON.stringify({ username, password: STRONG_PASSWORD });
    // Send the login and hang up at once, while the password is being checked.
    await new Promise<void>((resolve) => {
      const req = httpRequest(`${gh.system.gatewayUrl}/login`, { method: 'POST', headers: { 'content-type': 'application/json' } });
      req.on('error', () => resolve());
      req.end(body, () => setTimeout(() => (req.destroy(), resolve()), 20));
    });
    await sleep(1000);
    expect(await issued()).toBe(before);
  });
});
