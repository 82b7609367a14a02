import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { connect } from 'node:net';
import { freePort } from './ports.js';

/** Whether something accepts TCP connections at the host and port of `url`. */
export function answers(url: string, timeoutMs = 1_000): Promise<boolean> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = connect({ host: hostname, port: Number(port) });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/** Whether the executable `name` is on PATH. */
export function binary(name: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${name}`]).status === 0;
}

export interface Broker {
  url: string;
  stop(): Promise<void>;
}

/**
 * `nats-server` on a free port of 127.0.0.1, for the tests and the benchmark;
 * with a `login`, it admits only that user, whose credentials `url` carries.
 * Undefined without the binary.
 */
export async function startNatsServer(login?: { user: string; pass: string }): Promise<Broker | undefined> {
  if (!binary('nats-server')) return undefined;
  const port = await freePort();
  const args = ['-a', '127.0.0.1', '-p', String(port), ...(login ? ['--user', login.user, '--pass', login.pass] : [])];
  const child = spawn('nats-server', args, { stdio: 'ignore' });
  const credentials = login ? `${encodeURIComponent(login.user)}:${encodeURIComponent(login.pass)}@` : '';
  const url = `nats://${credentials}127.0.0.1:${port}`;
  await waitUntilAnswering(url, child, 'nats-server');
  return { url, stop: () => stopChild(child) };
}

export async function waitUntilAnswering(url: string, child: ChildProcess, what: string): Promise<void> {
  const until = Date.now() + 10_000;
  while (!(await answers(url, 200))) {
    if (child.exitCode !== null || Date.now() > until) throw new Error(`${what} did not start at ${new URL(url).host}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

export function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}
