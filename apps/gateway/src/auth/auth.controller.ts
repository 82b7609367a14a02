import { Body, Controller, HttpCode, Post, UseGuards } from '@nestjs/common';
import { ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { SkipThrottle, ThrottlerGuard } from '@nestjs/throttler';
import { AuthResponse, CredentialsDto, RefreshTokenDto, RegisterUserDto } from '#contracts';
import { ApiErrorResponses } from '../docs/api-error-responses.js';
import { AuthService } from './auth.service.js';

@ApiTags('auth')
@Controller()
@UseGuards(ThrottlerGuard)
export class AuthController {
  constructor(private readonly auth: AuthService) {}

  @Post('register')
  @ApiCreatedResponse({ type: AuthResponse })
  @ApiErrorResponses(400, 409, 413, 429, 503, 504)
  register(@Body() dto: RegisterUserDto): Promise<AuthResponse> {
    return this.auth.register(dto);
  }

  @Post('login')
  @HttpCode(200)
  @ApiOkResponse({ type: AuthResponse })
  @ApiErrorResponses(400, 401, 413, 429, 503, 504)
  login(@Body() dto: CredentialsDto): Promise<AuthResponse> {
    return this.auth.login(dto);
  }

  @Post('refresh')
  @HttpCode(200)
  @ApiOkResponse({ type: AuthResponse })
  @ApiErrorResponses(400, 401, 413, 429, 503, 504)
  refresh(@Body() dto: RefreshTokenDto): Promise<AuthResponse> {
    return this.auth.refresh(dto);
  }

  @Post('logout')
  @HttpCode(204)
  @SkipThrottle()
  @ApiNoContentResponse({ description: 'The session is revoked (also when it already was).' })
  @ApiErrorResponses(400, 413, 503, 504)
  logout(@Body() dto: RefreshTokenDto): Promise<void> {
    return this.auth.logout(dto);
  }
}
