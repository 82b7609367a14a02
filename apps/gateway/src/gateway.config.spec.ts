import { ConfigError, loadConfig } from '#common';
import { GatewayConfig } from './gateway.config.js';

describe('GatewayConfig', () => {
  it('has the documented defaults', () => {
    const config = loadConfig(GatewayConfig, {});
    expect(config).toMatchObject({ GATEWAY_PORT: 3000, USER_PORT: 3001, IDENTITY_PORT: 3002, RPC_TIMEOUT_MS: 5000, AUTH_RATE_LIMIT: 60 });
    expect(config.trustProxy).toBe(false);
  });

  it.each([
    ['true', true],
    ['10.0.0.1, 10.0.0.0/8', '10.0.0.1, 10.0.0.0/8'],
  ])('reads TRUST_PROXY=%s for Fastify', (value, expected) => {
    expect(loadConfig(GatewayConfig, { TRUST_PROXY: value }).trustProxy).toEqual(expected);
  });

  it.each([
    [{ AUTH_RATE_LIMIT: '-1' }, 'AUTH_RATE_LIMIT'],
    [{ RPC_TIMEOUT_MS: '10' }, 'RPC_TIMEOUT_MS'],
    [{ TRUST_PROXY: 'maybe' }, 'TRUST_PROXY'],
  ])('refuses %j', (env, variable) => {
    expect(() => loadConfig(GatewayConfig, env)).toThrow(ConfigError);
    expect(() => loadConfig(GatewayConfig, env)).toThrow(new RegExp(variable));
  });
});
