import { generateKeyPairSync, randomUUID, type KeyObject } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import bcrypt from 'bcrypt';
import jwt from 'jsonwebtoken';
import pg from 'pg';
import { startProcess, type ManagedProcess } from '../scripts/system/app-process.js';

const ISSUER = 'gatehouse';
const AUDIENCE = 'gatehouse';
const SEEDED_USERS = 100;

export interface Yardsticks {
  baseline: ManagedProcess & { url: string };
  bare: ManagedProcess & { url: string };
  /** Access tokens (signed like identity's) for the accounts seeded in the baseline database. */
  tokens: string[];
}

/**
 * The one-process baseline (bench/baseline) and the bare limit
 * (bench/bare), each its own process, sharing a database `baseline` on the
 * same PostgreSQL server as the system. The benchmark plays identity: it
 * holds an ES256 key and signs the tokens both of them verify.
 */
export async function startYardsticks(options: {
  root: string;
  pg: { port: number; dataDir: string };
  ports: { baseline: number; bare: number };
  rounds: number;
  /** More environment for both (e.g. NODE_OPTIONS). */
  env?: Record<string, string>;
  log: (source: string, line: string) => void;
}): Promise<Yardsticks> {
  const { root, ports, rounds, log } = options;
  const databaseUrl = await createDatabase(options.pg.port, options.pg.dataDir, 'baseline');
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const env = (port: number): Record<string, string> => ({
    ...options.env,
    PORT: String(port),
    DATABASE_URL: databaseUrl,
    JWT_PUBLIC_KEY: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    JWT_ISSUER: ISSUER,
    JWT_AUDIENCE: AUDIENCE,
    BCRYPT_ROUNDS: String(rounds),
  });
  const script = (name: string) => join(root, 'dist', 'bench', name, 'main.js');

  // The baseline creates the table (its migration), so it starts first.
  const baseline = await startProcess({ root, name: 'baseline', script: script('baseline'), env: env(ports.baseline), log });
  try {
    const [bare, ids] = await Promise.all([
      startProcess({ root, name: 'bare', script: script('bare'), env: env(ports.bare), log }),
      seedUsers(databaseUrl, SEEDED_USERS),
    ]);
    return {
      baseline: { ...baseline, url: `http://127.0.0.1:${ports.baseline}` },
      bare: { ...bare, url: `http://127.0.0.1:${ports.bare}` },
      tokens: ids.map((id) => signAccessToken(privateKey, id)),
    };
  } catch (error) {
    await baseline.stop();
    throw error;
  }
}

/** A fresh database on the embedded server, reached as its superuser (credentials kept in the data directory). */
async function createDatabase(port: number, dataDir: string, name: string): Promise<string> {
  const { superuser } = JSON.parse(await readFile(join(dataDir, 'credentials.json'), 'utf8')) as { superuser: string };
  const admin = new pg.Client({ host: '127.0.0.1', port, user: 'postgres', password: superuser, database: 'postgres' });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  return `postgres://postgres:${encodeURIComponent(superuser)}@127.0.0.1:${port}/${name}`;
}

async function seedUsers(databaseUrl: string, count: number): Promise<string[]> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const hash = await bcrypt.hash(randomUUID(), 4);
    const { rows } = await client.query<{ id: string }>(
      `INSERT INTO users (username, email, password_hash)
       SELECT 'seed' || i, 'seed' || i || '@example.com', $1 FROM generate_series(1, $2::int) AS i
       RETURNING id`,
      [hash, count],
    );
    return rows.map((row) => row.id);
  } finally {
    await client.end();
  }
}

/** The claims identity puts in an access token: sub, sid, iat, exp, iss, aud, and a kid. */
function signAccessToken(privateKey: KeyObject, userId: string): string {
  return jwt.sign({ sub: userId, sid: randomUUID() }, privateKey, {
    algorithm: 'ES256',
    keyid: 'bench',
    issuer: ISSUER,
    audience: AUDIENCE,
    expiresIn: 900,
  });
}
