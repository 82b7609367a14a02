import type { ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { Limits } from '#common/limits';
import type { GatewayConfig } from '../gateway.config.js';
import { IpRateLimitGuard } from './ip-rate-limit.js';

const LIMIT = 3;

function requestFrom(ip: string): ExecutionContext {
  const request = { ip, url: '/login', routeOptions: { url: '/login' } };
  return {
    switchToHttp: () => ({ getRequest: () => request }),
    getHandler: () => requestFrom,
    getClass: () => IpRateLimitGuard,
  } as unknown as ExecutionContext;
}

/** Whether each of these requests, in turn, is let through. */
async function allowed(guard: IpRateLimitGuard, ips: string[]): Promise<boolean[]> {
  const answers: boolean[] = [];
  for (const ip of ips) {
    const answer = guard.canActivate(requestFrom(ip)).catch((error: { code?: string }) => {
      if (error.code !== 'RATE_LIMITED') throw error;
      return false;
    });
    answers.push(await answer);
  }
  return answers;
}

const guard = () => new IpRateLimitGuard({ AUTH_RATE_LIMIT: LIMIT } as GatewayConfig, new Reflector(), Limits.inMemory());

describe('IpRateLimitGuard', () => {
  it('counts every address of one IPv6 /64 as one client', async () => {
    const ips = ['2001:db8:1:2::1', '2001:db8:1:2::2', '2001:db8:1:2:aaaa::9', '2001:db8:1:2:ffff:ffff:ffff:ffff'];
    expect(await allowed(guard(), ips)).toEqual([true, true, true, false]);
  });

  it('counts another /64, and each IPv4 address, on its own', async () => {
    const limited = guard();
    await allowed(limited, Array(LIMIT + 1).fill('2001:db8:1:2::1'));
    expect(await allowed(limited, ['2001:db8:1:3::1', '203.0.113.1', '203.0.113.2'])).toEqual([true, true, true]);
    expect(await allowed(limited, Array(LIMIT + 1).fill('203.0.113.3'))).toEqual([true, true, true, false]);
    expect(await allowed(limited, ['203.0.113.4'])).toEqual([true]);
  });
});
