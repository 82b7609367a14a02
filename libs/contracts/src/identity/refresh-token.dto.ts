import { ApiProperty } from '@nestjs/swagger';
import { IsNotEmpty, IsString, MaxLength, NotContains } from 'class-validator';

/** POST /refresh and /logout body; also the `identity.refresh` and `identity.revoke` payload. */
export class RefreshTokenDto {
  @ApiProperty({ description: 'The opaque refresh token from the last login or refresh.' })
  @IsString()
  @IsNotEmpty()
  // Generous on purpose: any string that is not a live refresh token is a 401, not a 400.
  @MaxLength(2048)
  @NotContains('\u0000', { message: 'refreshToken must not contain NUL characters' })
  refreshToken: string;
}
