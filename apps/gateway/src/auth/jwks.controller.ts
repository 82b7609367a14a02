import { Controller, Get, Res } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProperty, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { ErrorCode } from '#contracts/errors';
import { ApiErrorCodes } from '../docs/api-error-responses.js';
import { JWKS_MAX_AGE_S, PublicKeysCache } from './public-keys.cache.js';

class Jwk {
  @ApiProperty({ description: 'Matches the `kid` in an access token’s header.' })
  kid: string;
  @ApiProperty({ example: 'EC' })
  kty: string;
  @ApiProperty({ example: 'P-256' })
  crv: string;
  @ApiProperty()
  x: string;
  @ApiProperty()
  y: string;
  @ApiProperty({ example: 'ES256' })
  alg: string;
  @ApiProperty({ example: 'sig' })
  use: string;
}

class JwkSet {
  @ApiProperty({ type: Jwk, isArray: true })
  keys: Jwk[];
}

/** The verification keys for backends that check Gatehouse access tokens themselves. Public: no auth, and no rate limit (the per-IP limit is opt-in per controller). */
@ApiTags('keys')
@Controller('.well-known')
export class JwksController {
  constructor(private readonly keys: PublicKeysCache) {}

  @Get('jwks.json')
  @ApiOperation({
    summary: 'Every public key that may have signed a live access token (RFC 7517 JWK Set).',
    description: `Cacheable for ${JWKS_MAX_AGE_S} s. Verify with ES256 only, and check \`iss\`, \`aud\` and \`exp\`.`,
  })
  @ApiOkResponse({ type: JwkSet })
  @ApiErrorCodes(ErrorCode.ServiceUnavailable, ErrorCode.UpstreamTimeout)
  async jwks(@Res({ passthrough: true }) reply: FastifyReply): Promise<JwkSet> {
    const set = await this.keys.publicJwks();
    // Public keys, unlike everything else here, are meant to be cached: overrides the global no-store for this answer only.
    void reply.header('Cache-Control', `public, max-age=${JWKS_MAX_AGE_S}`).removeHeader('Pragma');
    return set as JwkSet;
  }
}
