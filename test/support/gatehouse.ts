import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePorts } from '../../scripts/system/ports.js';
import { System, type SystemOptions } from '../../scripts/system/system.js';
import { HttpClient } from './http-client.js';

export interface TestGatehouse {
  system: System;
  http: HttpClient;
  /** Every line every process printed, prefixed with its name. */
  logs: string[];
  stop(): Promise<void>;
}

/**
 * A whole Gatehouse for one test file: a fresh embedded PostgreSQL and the
 * three apps as separate processes, on free ports. Cheap bcrypt and no IP
 * rate limit unless the file asks for them. `TRANSPORT=nats` with `NATS_URL`
 * in `env` runs it over NATS, where `replicas` may ask for several of a service.
 * `smtp` (an SMTP URL, e.g. an `SmtpInbox`'s) adds the mail service, sending there;
 * without it no mail service runs, and mail's port is a free one nothing listens on.
 */
export async function startGatehouse(
  env: Record<string, string> = {},
  options: { replicas?: SystemOptions['replicas']; smtp?: string } = {},
): Promise<TestGatehouse> {
  const dataDir = await mkdtemp(join(tmpdir(), 'gatehouse-e2e-'));
  const logs: string[] = [];
  const [gateway, user, identity, mail, pgPort, gatewayMetrics, userMetrics, identityMetrics, mailMetrics] = await freePorts(9);
  const system = await System.start({
    ports: { gateway, user, identity, mail },
    smtpUrl: options.smtp,
    dataDir,
    pgPort,
    transport: env.TRANSPORT === 'nats' ? 'nats' : 'tcp',
    natsUrl: env.NATS_URL,
    replicas: options.replicas,
    env: {
      NODE_ENV: 'test',
      BCRYPT_ROUNDS: '4',
      AUTH_RATE_LIMIT: '0',
      RPC_TIMEOUT_MS: '2000',
      GATEWAY_METRICS_PORT: String(gatewayMetrics),
      USER_METRICS_PORT: String(userMetrics),
      IDENTITY_METRICS_PORT: String(identityMetrics),
      MAIL_METRICS_PORT: String(mailMetrics),
      ...env,
    },
    log: (source, line) => logs.push(`[${source}] ${line}`),
  }).catch(async (error: unknown) => {
    process.stderr.write(logs.join('\n'));
    throw error;
  });
  return {
    system,
    http: new HttpClient(system.gatewayUrl),
    logs,
    async stop() {
      await system.stop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

let counter = 0;
/** Unique per call and per test file, so tests never depend on each other's users. */
export function uniqueName(prefix = 'u'): string {
  counter += 1;
  return `${prefix}${process.pid.toString(36)}${Date.now().toString(36)}${counter}`.slice(0, 32);
}

export const STRONG_PASSWORD = 'violet-Kettle-47-drift';
