// What the two yardstick apps (bench/baseline, bench/bare) are started with.
import { createPublicKey, type KeyObject } from 'node:crypto';

export interface YardstickEnv {
  port: number;
  databaseUrl: string;
  /** Verifies access tokens: ES256 only, with this issuer and audience, as the gateway does. */
  publicKey: KeyObject;
  issuer: string;
  audience: string;
  bcryptRounds: number;
}

export function readYardstickEnv(env = process.env): YardstickEnv {
  const need = (name: string): string => {
    const value = env[name];
    if (!value) throw new Error(`${name} is required`);
    return value;
  };
  return {
    port: Number(need('PORT')),
    databaseUrl: need('DATABASE_URL'),
    publicKey: createPublicKey(need('JWT_PUBLIC_KEY')),
    issuer: env.JWT_ISSUER ?? 'gatehouse',
    audience: env.JWT_AUDIENCE ?? 'gatehouse',
    bcryptRounds: Number(env.BCRYPT_ROUNDS ?? 12),
  };
}

/** Tells the benchmark this app serves; exits when the benchmark goes away. */
export function announceReady(name: string): void {
  if (!process.send) return;
  process.send({ ready: name });
  process.once('disconnect', () => process.kill(process.pid, 'SIGTERM'));
}

export const ACCESS_TOKEN_PATTERN = /^Bearer ([\w-]+\.[\w-]+\.[\w-]*)$/;
