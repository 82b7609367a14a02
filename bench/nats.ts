import { startNatsServer } from '../scripts/system/nats-server.js';
import { freePorts } from '../scripts/system/ports.js';
import { System } from '../scripts/system/system.js';
import type { Lifecycle } from './lifecycle.js';

/**
 * A second Gatehouse, over NATS (a private `nats-server` on a free port), on
 * the TCP system's database, so that the same accounts and tokens work on
 * both. Its metrics ports are off (the TCP system has the defaults). The
 * reason instead of a system when there is no `nats-server` binary.
 */
export async function startNatsGatehouse(
  lifecycle: Lifecycle,
  options: {
    databaseUrls: { user: string; identity: string };
    dataDir: string;
    pgPort: number;
    env: Record<string, string>;
    appStdout?: number;
  },
  log: (source: string, line: string) => void,
): Promise<System | string> {
  const nats = await lifecycle.started('nats-server', startNatsServer, (broker) => broker?.stop() ?? Promise.resolve());
  if (!nats) return 'no nats-server binary on PATH';
  const [gateway, user, identity] = await freePorts(3);
  const env = { ...options.env, GATEWAY_METRICS_PORT: '0', USER_METRICS_PORT: '0', IDENTITY_METRICS_PORT: '0' };
  return lifecycle.started(
    'gatehouse over NATS',
    () =>
      System.start({
        ...options,
        env,
        ports: { gateway, user, identity },
        transport: 'nats',
        natsUrl: nats.url,
        log: (source, line) => log(`nats ${source}`, line),
      }),
    (system) => system.stop(),
  );
}
