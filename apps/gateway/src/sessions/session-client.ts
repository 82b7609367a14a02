import { isIP } from 'node:net';
import { IP_MAX_LENGTH, USER_AGENT_MAX_LENGTH, type SessionClientDto } from '#contracts/identity';
import type { FastifyRequest } from 'fastify';

/**
 * The device behind a register, login or refresh, for GET /sessions.
 * `request.ip` follows X-Forwarded-For only from a proxy that TRUST_PROXY
 * trusts: any client can write that header, so otherwise it is the peer.
 */
export function sessionClientOf(request: FastifyRequest): SessionClientDto {
  const userAgent = request.headers['user-agent'];
  return {
    userAgent: userAgent ? userAgent.slice(0, USER_AGENT_MAX_LENGTH) : undefined,
    // Not worth failing a login over: an address identity could not store is left out.
    ip: isIP(request.ip) && request.ip.length <= IP_MAX_LENGTH ? request.ip : undefined,
  };
}
