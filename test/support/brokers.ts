import { spawn, type ChildProcess } from 'node:child_process';
import { natsWhere } from '#common/transport';
import { answers, binary, startNatsServer, stopChild, waitUntilAnswering, type Broker } from '../../scripts/system/nats-server.js';
import { freePort } from '../../scripts/system/ports.js';

export { answers, binary, type Broker };

export const NATS_URL = process.env.NATS_URL ?? 'nats://127.0.0.1:4222';
export const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

/**
 * Whether a suite that needs `what` runs, and why not: it runs when a server
 * answers at `url` (NATS_URL / REDIS_URL, default ports 4222 / 6379). A skip
 * is printed with its reason, so a green run says what it did not test.
 */
export async function brokerOrSkip(what: 'NATS' | 'Redis', url: string, suite: string): Promise<boolean> {
  if (await answers(url)) return true;
  const variable = what === 'NATS' ? 'NATS_URL' : 'REDIS_URL';
  process.stdout.write(
    `SKIPPED: "${suite}" needs ${what}, and nothing answers at ${what === 'NATS' ? natsWhere(url) : new URL(url).host} (${variable}). ` +
      `Start one (e.g. apt-get install -y ${what === 'NATS' ? 'nats-server' : 'redis-server'}) to run it.\n`,
  );
  return false;
}

/**
 * A NATS server for one test file alone, so parallel jest workers never see
 * each other's messages (the queue groups are named after the services, the
 * same in every suite). Started from the `nats-server` binary on a free port;
 * without the binary, the shared server at NATS_URL (suites then must not run
 * in parallel against it).
 */
export async function privateNats(): Promise<Broker> {
  return (await startNatsServer()) ?? { url: NATS_URL, stop: () => Promise.resolve() };
}

export interface RestartableBroker extends Broker {
  /** Starts it again on the same port (empty: it keeps nothing on disk). */
  start(): Promise<void>;
}

/**
 * A Redis for one test file alone, which the test may stop and start again:
 * `redis-server` on a free port, keeping nothing on disk. Undefined without
 * the binary (a shared Redis cannot be stopped by one test).
 */
export async function privateRedis(): Promise<RestartableBroker | undefined> {
  if (!binary('redis-server')) return undefined;
  const port = await freePort();
  const url = `redis://127.0.0.1:${port}`;
  let child: ChildProcess | undefined;
  const start = async () => {
    const args = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'];
    const started = spawn('redis-server', args, { stdio: 'ignore' });
    child = started;
    await waitUntilAnswering(url, started, 'redis-server');
  };
  await start();
  return { url, start, stop: () => (child ? stopChild(child) : Promise.resolve()) };
}
