import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { projectRoot } from '../../scripts/system/system.js';

/** Runs one app with exactly this environment (plus PATH) and returns how it ended. */
function start(app: 'gateway' | 'user' | 'identity', env: Record<string, string>) {
  const result = spawnSync(process.execPath, [join(projectRoot(), 'dist/apps', app, 'src/main.js')], {
    env: { PATH: process.env.PATH ?? '', LOG_FORMAT: 'json', ...env },
    encoding: 'utf8',
    timeout: 20_000,
  });
  return { status: result.status, stderr: result.stderr.trim() };
}

const identityDb = { IDENTITY_DATABASE_URL: 'postgres://nobody:x@127.0.0.1:1/identity' };

describe('start-up configuration', () => {
  it.each([
    ['user', {}, 'USER_DATABASE_URL'],
    ['user', { USER_DATABASE_URL: 'mysql://x', BCRYPT_ROUNDS: '12' }, 'USER_DATABASE_URL'],
    ['user', { USER_DATABASE_URL: 'postgres://x@y/z', BCRYPT_ROUNDS: 'many' }, 'BCRYPT_ROUNDS'],
    ['gateway', { RPC_TIMEOUT_MS: '-5' }, 'RPC_TIMEOUT_MS'],
    ['gateway', { TRUST_PROXY: 'maybe' }, 'TRUST_PROXY'],
    ['identity', { ...identityDb, NODE_ENV: 'production' }, 'JWT_PRIVATE_KEY_FILE'],
    ['identity', { ...identityDb, JWT_PRIVATE_KEY_FILE: '/nonexistent/key.pem' }, 'JWT_PRIVATE_KEY_FILE'],
  ] as const)('%s with %j stops with one line naming %s', (app, env, variable) => {
    const { status, stderr } = start(app, env);
    expect(status).toBe(1);
    expect(stderr.split('\n')).toHaveLength(1);
    expect(stderr).toMatch(new RegExp(`^\\[${app}\\] Invalid configuration: .*\\b${variable}\\b`));
  });
});
