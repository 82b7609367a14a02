import { ConfigError, loadConfig } from '#common';
import { GatewayConfig } from './gateway.config.js';

describe('GatewayConfig', () => {
  it('has the documented defaults', () => {
    const config = loadConfig(GatewayConfig, {});
    expect(config).toMatchObject({ GATEWAY_PORT: 3000, USER_PORT: 3001, IDENTITY_PORT: 3002, RPC_TIMEOUT_MS: 5000, AUTH_RATE_LIMIT: 60 });
    expect(config).toMatchObject({ GATEWAY_METRICS_PORT: 9100, REFRESH_COOKIE: false, DOCS_ENABLED: true });
    expect(config.trustProxy).toBe(false);
    expect(config.corsOrigins).toEqual([]);
  });

  it.each([
    ['false', false],
    ['true', true],
  ])('reads the flags set to %s', (value, expected) => {
    const config = loadConfig(GatewayConfig, { REFRESH_COOKIE: value, DOCS_ENABLED: value });
    expect(config.REFRESH_COOKIE).toBe(expected);
    expect(config.DOCS_ENABLED).toBe(expected);
  });

  it('reads CORS_ORIGINS as a list and GATEWAY_METRICS_PORT=0 as off', () => {
    const config = loadConfig(GatewayConfig, { CORS_ORIGINS: 'https://app.example.com, http://localhost:5173', GATEWAY_METRICS_PORT: '0' });
    expect(config.corsOrigins).toEqual(['https://app.example.com', 'http://localhost:5173']);
    expect(config.GATEWAY_METRICS_PORT).toBe(0);
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
    [{ REFRESH_COOKIE: 'yes' }, 'REFRESH_COOKIE'],
    [{ DOCS_ENABLED: '0' }, 'DOCS_ENABLED'],
    [{ CORS_ORIGINS: '*' }, 'CORS_ORIGINS'],
    [{ CORS_ORIGINS: 'https://app.example.com/' }, 'CORS_ORIGINS'],
    [{ GATEWAY_METRICS_PORT: '70000' }, 'GATEWAY_METRICS_PORT'],
  ])('refuses %j', (env, variable) => {
    expect(() => loadConfig(GatewayConfig, env)).toThrow(ConfigError);
    expect(() => loadConfig(GatewayConfig, env)).toThrow(new RegExp(variable));
  });
});
