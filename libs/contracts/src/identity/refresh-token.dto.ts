import { ApiProperty } from '@nestjs/swagger';
import { IsNotEmpty, IsString, MaxLength } from 'class-validator';

/** POST /refresh and /logout body; also the `identity.refresh` and `identity.revoke` payload. */
export class RefreshTokenDto {
  @ApiProperty({ description: 'The opaque refresh token from the last login or refresh.' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(256)
  refreshToken: string;
}
