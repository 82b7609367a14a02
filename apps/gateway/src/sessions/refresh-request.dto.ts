import { PartialType } from '@nestjs/swagger';
import { RefreshTokenDto } from '#contracts/identity';

/**
 * POST /refresh and /logout body: `refreshToken` as identity takes it, but
 * optional, since in cookie mode (REFRESH_COOKIE=true) it may come from the cookie.
 */
export class RefreshRequestDto extends PartialType(RefreshTokenDto) {}
