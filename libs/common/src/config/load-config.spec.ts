import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { IdentityConfig } from '../../../../apps/identity/src/identity.config.js';
import { GatewayConfig } from '../../../../apps/gateway/src/gateway.config.js';
import { ConfigError, loadConfig } from './load-config.js';

function writeTemp(content: string): string {
  const path = join(mkdtempSync(join(tmpdir(), 'gatehouse-key-')), 'key.pem');
  writeFileSync(path, content);
  return path;
}

function keyFile(type: 'ec' | 'rsa'): string {
  const { privateKey } =
    type === 'ec' ? generateKeyPairSync('ec', { namedCurve: 'P-256' }) : generateKeyPairSync('rsa', { modulusLength: 2048 });
  return writeTemp(privateKey.export({ type: 'pkcs8', format: 'pem' }) as string);
}

const identityEnv = { IDENTITY_DATABASE_URL: 'postgres://u:p@127.0.0.1:5432/identity' };

describe('loadConfig', () => {
  it('applies the documented defaults', () => {
    const config = loadConfig(GatewayConfig, {});
    expect(config).toMatchObject({ GATEWAY_PORT: 3000, USER_PORT: 3001, IDENTITY_PORT: 3002, RPC_TIMEOUT_MS: 5000, AUTH_RATE_LIMIT: 60, LOG_LEVEL: 'info' });
    expect(config.trustProxy).toBe(false);
  });

  it('converts numbers and treats an empty variable as unset', () => {
    const config = loadConfig(GatewayConfig, { GATEWAY_PORT: '8080', RPC_TIMEOUT_MS: '' });
    expect(config.GATEWAY_PORT).toBe(8080);
    expect(config.RPC_TIMEOUT_MS).toBe(5000);
  });

  it('drops variables it does not declare', () => {
    expect(loadConfig(GatewayConfig, { AWS_SECRET: 'x' })).not.toHaveProperty('AWS_SECRET');
  });

  it.each([
    [{ GATEWAY_PORT: 'eighty' }, 'GATEWAY_PORT'],
    [{ GATEWAY_PORT: '70000' }, 'GATEWAY_PORT'],
    [{ AUTH_RATE_LIMIT: '-1' }, 'AUTH_RATE_LIMIT'],
    [{ LOG_LEVEL: 'loud' }, 'LOG_LEVEL'],
    [{ TCP_TLS_CA: '/ca.pem' }, 'TCP_TLS_CERT'],
  ])('stops with one line naming the variable for %j', (env, variable) => {
    const attempt = () => loadConfig(GatewayConfig, env);
    expect(attempt).toThrow(ConfigError);
    expect(attempt).toThrow(new RegExp(`^Invalid configuration: [^\\n]*\\b${variable}\\b[^\\n]*$`));
  });

  it('requires a database URL for a service', () => {
    expect(() => loadConfig(IdentityConfig, {})).toThrow(/IDENTITY_DATABASE_URL/);
  });

  it('accepts a generated signing key in development but demands a key file in production', () => {
    expect(loadConfig(IdentityConfig, identityEnv).JWT_PRIVATE_KEY_FILE).toBeUndefined();
    expect(() => loadConfig(IdentityConfig, { ...identityEnv, NODE_ENV: 'production' })).toThrow(/JWT_PRIVATE_KEY_FILE/);
    const production = loadConfig(IdentityConfig, { ...identityEnv, NODE_ENV: 'production', JWT_PRIVATE_KEY_FILE: keyFile('ec') });
    expect(production.isProduction).toBe(true);
  });

  it.each([
    ['a missing file', () => join(tmpdir(), 'no-such-key.pem'), /cannot read it \(ENOENT\)/],
    ['a file that is no key', () => writeTemp('not a key'), /PEM/],
    ['an RSA key', () => keyFile('rsa'), /P-256/],
  ])('refuses %s as JWT_PRIVATE_KEY_FILE', (_, path, reason) => {
    expect(() => loadConfig(IdentityConfig, { ...identityEnv, JWT_PRIVATE_KEY_FILE: path() })).toThrow(reason);
  });
});
