import { readFileSync } from 'node:fs';
import type { Socket } from 'node:net';
import { IdentityPatterns } from '#contracts/identity';
import { UserPatterns } from '#contracts/user';
import { startGatehouse, type TestGatehouse } from '../support/gatehouse.js';
import { callPattern, frame, openSocket } from '../support/tcp-peer.js';

const INCOMPLETE_TIMEOUT_MS = 1000;
let gh: TestGatehouse;
const baseline: Record<string, number> = {};

const services = () =>
  [
    { name: 'user', port: gh.system.options.ports.user, pid: gh.system.apps.user!.pid, health: UserPatterns.Health },
    { name: 'identity', port: gh.system.options.ports.identity, pid: gh.system.apps.identity!.pid, health: IdentityPatterns.Health },
  ] as const;

function residentMiB(pid: number): number {
  const kib = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]);
  return kib / 1024;
}

function closed(socket: Socket, withinMs: number): Promise<number> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    if (socket.destroyed) return resolve(0);
    const timer = setTimeout(() => reject(new Error(`still open after ${withinMs} ms`)), withinMs);
    socket.once('close', () => {
      clearTimeout(timer);
      resolve(Date.now() - started);
    });
    socket.on('error', () => undefined);
  });
}

async function stillServes(service: ReturnType<typeof services>[number]) {
  const reply = await callPattern(service.port, service.health, {});
  expect(reply.response).toEqual({ database: 'up', migrations: 'applied' });
}

beforeAll(async () => {
  gh = await startGatehouse({ TCP_INCOMPLETE_MESSAGE_TIMEOUT_MS: String(INCOMPLETE_TIMEOUT_MS) });
  for (const service of services()) {
    for (let i = 0; i < 20; i++) await stillServes(service); // warm up before measuring
    baseline[service.name] = residentMiB(service.pid);
  }
});
afterAll(async () => {
  await gh?.stop();
});

describe.each(['user', 'identity'] as const)('the %s TCP port', (name) => {
  const service = () => services().find((s) => s.name === name)!;

  it('drops malformed frames and keeps serving', async () => {
    for (const garbage of ['abc#{}', '-5#{}', '3#abc', '2#[]', '7#{"a":1}', 'NaN#x', '\u0000\u0001\u0002', '{"pattern":"x"}\n']) {
      const socket = await openSocket(service().port);
      socket.write(garbage);
      await new Promise((r) => setTimeout(r, 20));
      socket.destroy();
    }
    await stillServes(service());
  });

  it('disconnects a peer whose frame claims a huge length, without buffering it', async () => {
    const socket = await openSocket(service().port);
    const done = closed(socket, 5000);
    socket.write('999999999#');
    const chunk = 'a'.repeat(64 * 1024);
    for (let i = 0; i < 48 && !socket.destroyed; i++) socket.write(chunk); // 3 MiB, past the 1 MiB cap
    await done;
    await stillServes(service());
  });

  it('answers 12,000 tiny frames sent in one write', async () => {
    const socket = await openSocket(service().port);
    const frames = Array.from({ length: 12_000 }, (_, i) =>
      frame({ pattern: service().health.replace('health', 'nope'), data: {}, id: String(i) }),
    );
    let received = '';
    const allAnswered = new Promise<void>((resolve) =>
      socket.on('data', (data) => {
        received += data.toString();
        // counted over everything received: a reply may be split across chunks
        if ((received.match(/"id":"\d+"/g) ?? []).length >= 12_000) resolve();
      }),
    );
    socket.write(frames.join(''));
    await allAnswered;
    socket.destroy();
    await stillServes(service());
  });

  it('disconnects a peer that stops in the middle of a frame', async () => {
    const socket = await openSocket(service().port);
    const done = closed(socket, INCOMPLETE_TIMEOUT_MS + 3000);
    socket.write('120#{"pattern":"user.');
    expect(await done).toBeGreaterThanOrEqual(INCOMPLETE_TIMEOUT_MS - 100);
    await stillServes(service());
  });

  it('tolerates many peers that connect and say nothing', async () => {
    const idle = await Promise.all(Array.from({ length: 200 }, () => openSocket(service().port)));
    await stillServes(service());
    for (const socket of idle) socket.destroy();
  });

  it('drops a peer that never reads its replies', async () => {
    const socket = await openSocket(service().port);
    socket.pause();
    const done = closed(socket, 20_000);
    const request = frame({ pattern: service().health.replace('health', 'nope'), data: { pad: 'x'.repeat(200) }, id: '1' });
    // ~20 MB of replies queued for a reader that never reads
    const batch = request.repeat(1000);
    for (let i = 0; i < 100 && !socket.destroyed; i++) {
      socket.write(batch);
      await new Promise((r) => setTimeout(r, 5));
    }
    socket.resume();
    socket.destroy();
    await done;
    await stillServes(service());
  });

  it('returns near its memory baseline afterwards', async () => {
    await new Promise((r) => setTimeout(r, 1500));
    const grown = residentMiB(service().pid) - baseline[name];
    expect(grown).toBeLessThan(64);
  });
});
