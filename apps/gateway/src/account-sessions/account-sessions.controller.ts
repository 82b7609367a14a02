import { Controller, Delete, Get, Param, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { ErrorCode } from '#contracts/errors';
import { SessionView, type AccessClaims } from '#contracts/identity';
import { Auth, Authenticated } from '../auth/auth.decorator.js';
import { ApiErrorCodes } from '../docs/api-error-responses.js';
import { NoContent } from '../docs/no-content.js';
import { AccountSessionsService } from './account-sessions.service.js';
import { SessionScopeDto } from './session-scope.dto.js';

const ACCESS_TOKENS_LIVE_ON =
  'Ending a session stops its refresh token at once; an access token it was already given stays valid until its `exp` (at most ACCESS_TOKEN_TTL), since the gateway verifies access tokens without asking identity.';

@ApiTags('sessions')
@Controller('sessions')
@Authenticated()
export class AccountSessionsController {
  constructor(private readonly sessions: AccountSessionsService) {}

  @Get()
  @ApiOperation({ summary: "The caller's active sessions (not ended, not expired), the most recently used first." })
  @ApiOkResponse({ type: SessionView, isArray: true })
  @ApiErrorCodes(ErrorCode.Unauthorized, ErrorCode.ServiceUnavailable, ErrorCode.ServiceOverloaded, ErrorCode.UpstreamTimeout)
  list(@Auth() claims: AccessClaims): Promise<SessionView[]> {
    return this.sessions.list(claims);
  }

  @Delete(':id')
  @NoContent('The session is ended.')
  @ApiOperation({ summary: 'Ends one of the caller’s sessions.', description: ACCESS_TOKENS_LIVE_ON })
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiErrorCodes(
    ErrorCode.Unauthorized,
    ErrorCode.NotFound,
    ErrorCode.ServiceUnavailable,
    ErrorCode.ServiceOverloaded,
    ErrorCode.UpstreamTimeout,
  )
  async end(@Auth() claims: AccessClaims, @Param('id') id: string): Promise<void> {
    await this.sessions.end(claims, id);
  }

  @Delete()
  @NoContent('The sessions are ended (also when there were none).')
  @ApiOperation({ summary: 'Ends all the caller’s sessions, or all but the current one.', description: ACCESS_TOKENS_LIVE_ON })
  @ApiErrorCodes(
    ErrorCode.ValidationFailed,
    ErrorCode.Unauthorized,
    ErrorCode.ServiceUnavailable,
    ErrorCode.ServiceOverloaded,
    ErrorCode.UpstreamTimeout,
  )
  async endAll(@Auth() claims: AccessClaims, @Query() { scope = 'all' }: SessionScopeDto): Promise<void> {
    await this.sessions.endAll(claims, scope);
  }
}
