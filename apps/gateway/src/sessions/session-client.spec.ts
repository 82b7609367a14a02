import type { FastifyRequest } from 'fastify';
import { sessionClientOf } from './session-client.js';

const request = (ip: string, headers: Record<string, string> = {}) => ({ ip, headers }) as unknown as FastifyRequest;

describe('sessionClientOf', () => {
  it("takes the user agent and Fastify's client IP, not X-Forwarded-For", () => {
    expect(sessionClientOf(request('203.0.113.7', { 'user-agent': 'curl/8.5.0', 'x-forwarded-for': '6.6.6.6' }))).toEqual({
      userAgent: 'curl/8.5.0',
      ip: '203.0.113.7',
    });
  });

  it('cuts a long user agent to 256 characters and leaves out a missing one', () => {
    expect(sessionClientOf(request('::1', { 'user-agent': 'x'.repeat(10_000) })).userAgent).toBe('x'.repeat(256));
    expect(sessionClientOf(request('::1'))).toEqual({ userAgent: undefined, ip: '::1' });
  });

  it('leaves out an address identity would refuse, rather than failing the login', () => {
    expect(sessionClientOf(request('not-an-ip')).ip).toBeUndefined();
    expect(sessionClientOf(request(`fe80::1%${'e'.repeat(60)}`)).ip).toBeUndefined();
  });
});
