import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '#common/config';
import { IdentityConfig } from './identity.config.js';

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

describe('IdentityConfig', () => {
  it('requires its database URL', () => {
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
    ['a file that is no key', () => writeTemp('not a key'), /not a PEM private key/],
    ['an RSA key', () => keyFile('rsa'), /P-256/],
  ])('refuses %s as JWT_PRIVATE_KEY_FILE', (_, path, reason) => {
    expect(() => loadConfig(IdentityConfig, { ...identityEnv, JWT_PRIVATE_KEY_FILE: path() })).toThrow(reason);
  });
});
