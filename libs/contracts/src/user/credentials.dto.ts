import { ApiProperty } from '@nestjs/swagger';
import { IsNotEmpty, IsString, MaxLength, NotContains } from 'class-validator';

/**
 * POST /login body and the `user.verify_credentials` payload. Deliberately
 * loose: a login reveals nothing about the rules, it only succeeds or fails.
 */
export class CredentialsDto {
  @ApiProperty({ example: 'alice', description: 'Matched case-insensitively.' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(64)
  @NotContains('\u0000', { message: 'username must not contain NUL characters' })
  username: string;

  @ApiProperty({ example: 'correct horse battery staple', format: 'password' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(1024)
  @NotContains('\u0000', { message: 'password must not contain NUL characters' })
  password: string;
}
