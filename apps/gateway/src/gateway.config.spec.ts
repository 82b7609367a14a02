import Fastify from 'fastify';
import { ConfigError, loadConfig } from '#common/config';
import { GatewayConfig } from './gateway.config.js';

/** The client IP Fastify gives a request from this machine (the peer, 127.0.0.1) with this X-Forwarded-For, under TRUST_PROXY=`trustProxy`. */
async function clientIp(trustProxy: string, forwardedFor: string): Promise<string> {
  const app = Fastify({ trustProxy: loadConfig(GatewayConfig, { TRUST_PROXY: trustProxy }).trustProxy });
  app.get('/', async (request) => request.ip);
  try {
    const url = await app.listen({ host: '127.0.0.1', port: 0 });
    return await (await fetch(url, { headers: { 'x-forwarded-for': forwardedFor } })).text();
  } finally {
    await app.close();
  }
}

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

  // The proxy (the peer, 127.0.0.1) appended the address it saw (203.0.113.7) to what the client wrote (6.6.6.6).
  it.each([
    ['false', '127.0.0.1'],
    ['0', '127.0.0.1'],
    ['1', '203.0.113.7'],
    ['2', '6.6.6.6'],
    ['127.0.0.0/8', '203.0.113.7'],
    ['true', '6.6.6.6'],
  ])('with TRUST_PROXY=%s, Fastify takes %s as the client behind one proxy', async (value, client) => {
    expect(await clientIp(value, '6.6.6.6, 203.0.113.7')).toBe(client);
  });

  it('with a hop count, believes the one entry a proxy would have added, even from a client that connects directly', async () => {
    // Why README prefers the proxies' addresses: a count cannot tell the proxy from a direct client (here 127.0.0.1).
    expect(await clientIp('1', '6.6.6.6')).toBe('6.6.6.6');
    expect(await clientIp('10.0.0.0/8', '6.6.6.6')).toBe('127.0.0.1');
  });

  it.each([
    [{ AUTH_RATE_LIMIT: '-1' }, 'AUTH_RATE_LIMIT'],
    [{ RPC_TIMEOUT_MS: '10' }, 'RPC_TIMEOUT_MS'],
    [{ TRUST_PROXY: 'maybe' }, 'TRUST_PROXY'],
    [{ TRUST_PROXY: '-1' }, 'TRUST_PROXY'],
    [{ REFRESH_COOKIE: 'yes' }, 'REFRESH_COOKIE'],
    [{ DOCS_ENABLED: '0' }, 'DOCS_ENABLED'],
    [{ CORS_ORIGINS: '*' }, 'CORS_ORIGINS'],
    [{ CORS_ORIGINS: 'https://app.example.com/' }, 'CORS_ORIGINS'],
    [{ GATEWAY_METRICS_PORT: '70000' }, 'GATEWAY_METRICS_PORT'],
    [{ NATS_URL: 'redis://nats:4222' }, 'NATS_URL'],
    [{ NATS_URL: 'nats://u:p@a:4222,nats://u:q@b:4222' }, 'NATS_URL gives different credentials'],
  ])('refuses %j', (env, variable) => {
    expect(() => loadConfig(GatewayConfig, env)).toThrow(ConfigError);
    expect(() => loadConfig(GatewayConfig, env)).toThrow(new RegExp(variable));
  });
});
