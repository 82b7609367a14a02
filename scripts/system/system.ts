import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startApp, type AppName, type AppProcess } from './app-process.js';
import { startEmbeddedPostgres, type EmbeddedDatabase } from './embedded-postgres.js';

export type { AppName, AppProcess } from './app-process.js';
export type { EmbeddedDatabase } from './embedded-postgres.js';

export interface SystemOptions {
  ports: Record<AppName, number>;
  /** Your own PostgreSQL; without it an embedded one is started in `dataDir` on `pgPort`. */
  databaseUrls?: { user: string; identity: string };
  dataDir: string;
  pgPort: number;
  /** Extra environment for every app. */
  env?: Record<string, string>;
  log: (source: string, line: string) => void;
}

/**
 * The whole Gatehouse on one machine: PostgreSQL, then user and identity,
 * then the gateway, each its own OS process. `npm start`, the end-to-end
 * tests and the benchmark all start it through here.
 */
export class System {
  private constructor(
    readonly options: SystemOptions,
    readonly database: EmbeddedDatabase | undefined,
    private readonly databaseUrls: { user: string; identity: string },
    readonly apps: Partial<Record<AppName, AppProcess>> = {},
  ) {}

  static async start(options: SystemOptions): Promise<System> {
    const database = options.databaseUrls
      ? undefined
      : await startEmbeddedPostgres({ dir: options.dataDir, port: options.pgPort, log: (line) => options.log('postgres', line) });
    const urls = options.databaseUrls ?? { user: database!.url('user'), identity: database!.url('identity') };
    const system = new System(options, database, urls);
    try {
      await Promise.all([system.startApp('user'), system.startApp('identity')]);
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

  /** The environment an app is started with: only its own database's URL. */
  envOf(name: AppName): Record<string, string> {
    const { ports } = this.options;
    const env: Record<string, string> = {
      ...this.options.env,
      GATEWAY_PORT: String(ports.gateway),
      USER_PORT: String(ports.user),
      IDENTITY_PORT: String(ports.identity),
    };
    if (name === 'user') env.USER_DATABASE_URL = this.databaseUrls.user;
    if (name === 'identity') env.IDENTITY_DATABASE_URL = this.databaseUrls.identity;
    return env;
  }

  async startApp(name: AppName): Promise<AppProcess> {
    const app = await startApp({ root: projectRoot(), name, env: this.envOf(name), log: this.options.log });
    this.apps[name] = app;
    return app;
  }

  /** Gateway first so no new work arrives, then the services, then the database. */
  async stop(): Promise<void> {
    await this.apps.gateway?.stop();
    await Promise.all([this.apps.user?.stop(), this.apps.identity?.stop()]);
    await this.database?.stop();
  }
}

export function projectRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) dir = dirname(dir);
  return dir;
}
