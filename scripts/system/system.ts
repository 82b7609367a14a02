import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startApp, type AppName, type AppProcess } from './app-process.js';
import { startEmbeddedPostgres, type EmbeddedDatabase } from './embedded-postgres.js';

export type { AppName, AppProcess } from './app-process.js';
export type { EmbeddedDatabase } from './embedded-postgres.js';

/** The apps that may run as several replicas (under NATS). */
export type ServiceName = Exclude<AppName, 'gateway'>;

export interface SystemOptions {
  /** Mail's port is passed to every app (the user service's outbox relay reaches it there) whether or not mail runs. */
  ports: Record<Exclude<AppName, 'mail'>, number> & { mail?: number };
  /** Where the mail service sends; without it no mail service is started (suites that send no mail skip a process). */
  smtpUrl?: string;
  /** Base of the links in mails; the mail service's default is the gateway's URL. */
  publicUrl?: string;
  /** Your own PostgreSQL; without it an embedded one is started in `dataDir` on `pgPort`. */
  databaseUrls?: { user: string; identity: string };
  dataDir: string;
  pgPort: number;
  /** `tcp` (default) or `nats`, passed to every app as TRANSPORT. */
  transport?: 'tcp' | 'nats';
  /** The NATS server(s) under `transport: 'nats'`; passed as NATS_URL. */
  natsUrl?: string;
  /** Replicas per service (default 1). More than one needs NATS: TCP replicas cannot share a port. */
  replicas?: Partial<Record<ServiceName, number>>;
  /** Extra environment for every app. */
  env?: Record<string, string>;
  log: (source: string, line: string) => void;
  /**
   * An open file the apps' standard output (their logs) goes to instead of
   * `log`: the benchmark's, so that logs at full rate cost the apps what they
   * cost in production and not a parser in the benchmark's process.
   */
  appStdout?: number;
}

/** One running copy of an app: `user`, `user-2`, … */
export interface Instance {
  app: AppName;
  index: number;
  label: string;
}

/**
 * The whole Gatehouse on one machine: PostgreSQL, then user, identity (and
 * mail, given an SMTP URL), then the gateway, each its own OS process. `npm start`, the end-to-end
 * tests and the benchmark all start it through here.
 */
export class System {
  /** The first (or only) replica of each app. */
  readonly apps: Partial<Record<AppName, AppProcess>> = {};
  /** Every running replica by label (`user`, `user-2`, …). */
  readonly instances = new Map<string, AppProcess>();

  private constructor(
    readonly options: SystemOptions,
    readonly database: EmbeddedDatabase | undefined,
    private readonly databaseUrls: { user: string; identity: string },
  ) {}

  static async start(options: SystemOptions): Promise<System> {
    assertReplicasPossible(options);
    const database = options.databaseUrls
      ? undefined
      : await startEmbeddedPostgres({ dir: options.dataDir, port: options.pgPort, log: (line) => options.log('postgres', line) });
    const urls = options.databaseUrls ?? { user: database!.url('user'), identity: database!.url('identity') };
    const system = new System(options, database, urls);
    try {
      await Promise.all(system.serviceInstances().map(({ app, index }) => system.startApp(app, index)));
      await system.startApp('gateway');
    } catch (error) {
      await system.stop();
      throw error;
    }
    return system;
  }

  get gatewayUrl(): string {
    return `http://127.0.0.1:${this.options.ports.gateway}`;
  }

  /** Every replica of user, identity and (given an SMTP URL) mail the options ask for. */
  serviceInstances(): Instance[] {
    const services: ServiceName[] = this.options.smtpUrl ? ['user', 'identity', 'mail'] : ['user', 'identity'];
    return services.flatMap((app) =>
      Array.from({ length: this.options.replicas?.[app] ?? 1 }, (_, index) => ({ app, index, label: instanceLabel(app, index) })),
    );
  }

  /** The environment an app is started with: only its own database's URL. */
  envOf(name: AppName, index = 0): Record<string, string> {
    const { ports } = this.options;
    const env: Record<string, string> = {
      ...this.options.env,
      GATEWAY_PORT: String(ports.gateway),
      USER_PORT: String(ports.user),
      IDENTITY_PORT: String(ports.identity),
      ...(ports.mail && { MAIL_PORT: String(ports.mail) }),
      TRANSPORT: this.options.transport ?? 'tcp',
      ...(this.options.natsUrl && { NATS_URL: this.options.natsUrl }),
    };
    if (name === 'user') env.USER_DATABASE_URL = this.databaseUrls.user;
    if (name === 'identity') env.IDENTITY_DATABASE_URL = this.databaseUrls.identity;
    if (name === 'mail') Object.assign(env, mailEnv(this.options));
    // Replicas share a machine here: only the first serves metrics on the configured port.
    if (index > 0 && name !== 'gateway') env[`${name.toUpperCase()}_METRICS_PORT`] = '0';
    return env;
  }

  async startApp(name: AppName, index = 0): Promise<AppProcess> {
    const label = instanceLabel(name, index);
    const { log, appStdout } = this.options;
    const app = await startApp({ root: projectRoot(), name, label, env: this.envOf(name, index), log, stdout: appStdout });
    this.instances.set(label, app);
    if (index === 0) this.apps[name] = app;
    return app;
  }

  /** Starts again the replica named `label` (`user`, `user-2`, …), on its first start's settings. */
  restart(label: string): Promise<AppProcess> {
    const [app, replica] = label.split('-') as [AppName, string | undefined];
    return this.startApp(app, replica ? Number(replica) - 1 : 0);
  }

  /** Gateway first so no new work arrives, then the services, then the database. */
  async stop(): Promise<void> {
    await this.apps.gateway?.stop();
    await Promise.all([...this.instances.values()].filter((app) => app.name !== 'gateway').map((app) => app.stop()));
    await this.database?.stop();
  }
}

/** Only the mail service learns the SMTP URL: it may carry credentials. */
function mailEnv({ smtpUrl, publicUrl }: SystemOptions): Record<string, string> {
  return { ...(smtpUrl && { SMTP_URL: smtpUrl }), ...(publicUrl && { PUBLIC_URL: publicUrl }) };
}

export function instanceLabel(app: AppName, index: number): string {
  return index === 0 ? app : `${app}-${index + 1}`;
}

function assertReplicasPossible(options: SystemOptions): void {
  const several = Object.entries(options.replicas ?? {}).filter(([, count]) => (count ?? 1) > 1);
  if (several.length > 0 && options.transport !== 'nats') {
    const names = several.map(([app]) => `${app.toUpperCase()}_REPLICAS`).join(', ');
    throw new Error(`${names} above 1 need TRANSPORT=nats: replicas under TCP cannot share one port`);
  }
}

export function projectRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) dir = dirname(dir);
  return dir;
}
