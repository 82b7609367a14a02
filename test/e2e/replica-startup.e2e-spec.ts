// Replicas starting together on an empty database: migrations applied once, one signing key.
import { mkdtemp, rm } from 'node:fs/promises';
import { logsFlushed } from '../support/logs.js';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { startApp, type AppProcess } from '../../scripts/system/app-process.js';
import { startEmbeddedPostgres, type EmbeddedDatabase } from '../../scripts/system/embedded-postgres.js';
import { freePort, freePorts } from '../../scripts/system/ports.js';
import { projectRoot } from '../../scripts/system/system.js';

const REPLICAS = 5;
let dataDir: string;
let database: EmbeddedDatabase;
const apps: AppProcess[] = [];
const logs: string[] = [];

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'gatehouse-replicas-'));
  database = await startEmbeddedPostgres({ dir: dataDir, port: await freePort() });
});
afterAll(async () => {
  await Promise.all(apps.map((app) => app.stop()));
  await database?.stop();
  await rm(dataDir, { recursive: true, force: true });
});

async function rows(service: 'user' | 'identity', sql: string): Promise<Record<string, unknown>[]> {
  const client = new pg.Client({ connectionString: database.url(service) });
  await client.connect();
  try {
    return (await client.query(sql)).rows;
  } finally {
    await client.end();
  }
}

it(`starts ${REPLICAS} user and ${REPLICAS} identity replicas at once on an empty database: each migration applied once, one signing key`, async () => {
  // TCP, each on its own port: the race under test is in the database, not the transport.
  const ports = await freePorts(2 * REPLICAS);
  const env = (service: 'user' | 'identity', port: number): Record<string, string> => ({
    NODE_ENV: 'test',
    LOG_FORMAT: 'json',
    BCRYPT_ROUNDS: '4',
    [`${service.toUpperCase()}_PORT`]: String(port),
    [`${service.toUpperCase()}_METRICS_PORT`]: '0',
    [`${service.toUpperCase()}_DATABASE_URL`]: database.url(service),
  });
  const log = (source: string, line: string) => logs.push(`[${source}] ${line}`);
  // One wave per service, each wave's replicas all at once (two waves keep a 2-core machine from timing out).
  for (const [wave, name] of (['identity', 'user'] as const).entries()) {
    const started = await Promise.allSettled(
      ports
        .slice(wave * REPLICAS, (wave + 1) * REPLICAS)
        .map((port, i) =>
          startApp({ root: projectRoot(), name, label: `${name}-${i + 1}`, env: env(name, port), log, readyTimeoutMs: 90_000 }),
        ),
    );
    for (const result of started) if (result.status === 'fulfilled') apps.push(result.value);
    const failures = started.flatMap((result) => (result.status === 'rejected' ? [String(result.reason)] : []));
    if (failures.length > 0) process.stdout.write(`${failures.join('\n')}\n${logs.join('\n')}\n`);
    expect(failures).toEqual([]);
  }

  await logsFlushed();
  for (const service of ['user', 'identity'] as const) {
    const migrations = await rows(service, 'SELECT name FROM migrations');
    expect(new Set(migrations.map((m) => m.name)).size).toBe(migrations.length);
    // One replica applied them all, however many the service has.
    const applying = logs.filter((line) => line.startsWith(`[${service}-`) && /applied \d+ migration/.test(line));
    expect(applying).toHaveLength(1);
    expect(applying[0]).toContain(`applied ${migrations.length} migration`);
  }
  expect(await rows('identity', 'SELECT kid FROM signing_keys')).toHaveLength(1);
  expect(logs.filter((line) => line.includes('Generated a development signing key'))).toHaveLength(1);
}, 240_000);
