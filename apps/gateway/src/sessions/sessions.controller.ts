import { Body, Controller, HttpCode, Post, Req, Res } from '@nestjs/common';
import { ApiCookieAuth, ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { AuthResponse, CredentialsDto, RegisterUserDto } from '#contracts';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ApiErrorResponses } from '../docs/api-error-responses.js';
import { IpRateLimited, SkipIpRateLimit } from '../security/ip-rate-limit.js';
import { SessionsService } from './sessions.service.js';
import { RefreshCookie, type AuthBody } from './refresh-cookie.js';
import { RefreshRequestDto } from './refresh-request.dto.js';
import { sessionClientOf } from './session-client.js';

const SETS_COOKIE = 'With REFRESH_COOKIE=true the refresh token is set as an HttpOnly cookie and left out of the body.';
const READS_COOKIE =
  'With REFRESH_COOKIE=true the body may be empty: the refresh cookie is used, and the request must then carry an allowed `Origin` (403 `FORBIDDEN` otherwise).';

@ApiTags('auth')
@Controller()
@IpRateLimited()
export class SessionsController {
  constructor(
    private readonly sessions: SessionsService,
    private readonly cookie: RefreshCookie,
  ) {}

  @Post('register')
  @ApiOperation({ description: SETS_COOKIE })
  @ApiCreatedResponse({ type: AuthResponse })
  @ApiErrorResponses(400, 409, 413, 429, 503, 504)
  async register(
    @Body() dto: RegisterUserDto,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<AuthBody> {
    return this.cookie.deliver(request, reply, await this.sessions.register(dto, sessionClientOf(request)));
  }

  @Post('login')
  @HttpCode(200)
  @ApiOperation({ description: SETS_COOKIE })
  @ApiOkResponse({ type: AuthResponse })
  @ApiErrorResponses(400, 401, 413, 429, 503, 504)
  async login(
    @Body() dto: CredentialsDto,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<AuthBody> {
    return this.cookie.deliver(request, reply, await this.sessions.login(dto, sessionClientOf(request)));
  }

  @Post('refresh')
  @HttpCode(200)
  @ApiOperation({ description: `${READS_COOKIE} ${SETS_COOKIE}` })
  @ApiCookieAuth()
  @ApiOkResponse({ type: AuthResponse })
  @ApiErrorResponses(400, 401, 403, 413, 429, 503, 504)
  async refresh(
    @Body() dto: RefreshRequestDto,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<AuthBody> {
    const refreshToken = this.cookie.tokenOf(request, dto?.refreshToken);
    return this.cookie.deliver(request, reply, await this.sessions.refresh({ refreshToken }, sessionClientOf(request)));
  }

  @Post('logout')
  @HttpCode(204)
  @SkipIpRateLimit()
  @ApiOperation({ description: `${READS_COOKIE} With REFRESH_COOKIE=true the cookie is cleared.` })
  @ApiCookieAuth()
  @ApiNoContentResponse({ description: 'The session is revoked (also when it already was).' })
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
