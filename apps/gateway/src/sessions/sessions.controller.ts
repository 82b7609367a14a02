import { applyDecorators, Body, Controller, HttpCode, Post, Req, Res, UseInterceptors } from '@nestjs/common';
import { ApiCookieAuth, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { AuthResponse } from '#contracts/identity';
import { CredentialsDto, RegisterUserDto } from '#contracts/user';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ApiErrorResponses } from '../docs/api-error-responses.js';
import { NoContent } from '../docs/no-content.js';
import { IpRateLimited, SkipIpRateLimit } from '../security/ip-rate-limit.js';
import { SessionsService } from './sessions.service.js';
import { DeliverRefreshCookie, RefreshCookie } from './refresh-cookie.js';
import { RefreshRequestDto } from './refresh-request.dto.js';
import { sessionClientOf } from './session-client.js';

const SETS_COOKIE = 'With REFRESH_COOKIE=true the refresh token is set as an HttpOnly cookie and left out of the body.';
const READS_COOKIE =
  'With REFRESH_COOKIE=true the body may be empty: the refresh cookie is used, and the request must then carry an allowed `Origin` (403 `FORBIDDEN` otherwise).';

/**
 * Register, login and refresh: they answer `status` with an AuthResponse,
 * whose refresh token DeliverRefreshCookie moves into the cookie in cookie mode.
 */
function SignsIn(status: 200 | 201, description = SETS_COOKIE): MethodDecorator {
  return applyDecorators(
    HttpCode(status),
    ApiOperation({ description }),
    ApiResponse({ status, type: AuthResponse }),
    UseInterceptors(DeliverRefreshCookie),
  );
}

@ApiTags('auth')
@Controller()
@IpRateLimited()
export class SessionsController {
  constructor(
    private readonly sessions: SessionsService,
    private readonly cookie: RefreshCookie,
  ) {}

  @Post('register')
  @SignsIn(201)
  @ApiErrorResponses(400, 409, 413, 429, 503, 504)
  register(@Body() dto: RegisterUserDto, @Req() request: FastifyRequest): Promise<AuthResponse> {
    return this.sessions.register(dto, sessionClientOf(request));
  }

  @Post('login')
  @SignsIn(200)
  @ApiErrorResponses(400, 401, 413, 429, 503, 504)
  login(@Body() dto: CredentialsDto, @Req() request: FastifyRequest): Promise<AuthResponse> {
    return this.sessions.login(dto, sessionClientOf(request));
  }

  @Post('refresh')
  @SignsIn(200, `${READS_COOKIE} ${SETS_COOKIE}`)
  @ApiCookieAuth()
  @ApiErrorResponses(400, 401, 403, 413, 429, 503, 504)
  async refresh(@Body() dto: RefreshRequestDto, @Req() request: FastifyRequest): Promise<AuthResponse> {
    const refreshToken = this.cookie.tokenOf(request, dto?.refreshToken);
    return this.sessions.refresh({ refreshToken }, sessionClientOf(request));
  }

  @Post('logout')
  @NoContent('The session is revoked (also when it already was).')
  @SkipIpRateLimit()
  @ApiOperation({ description: `${READS_COOKIE} With REFRESH_COOKIE=true the cookie is cleared.` })
  @ApiCookieAuth()
  @ApiErrorResponses(400, 403, 413, 503, 504)
  async logout(
    @Body() dto: RefreshRequestDto,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<void> {
    const refreshToken = this.cookie.tokenOf(request, dto?.refreshToken);
    await this.sessions.logout({ refreshToken });
    this.cookie.clear(request, reply);
  }
}
