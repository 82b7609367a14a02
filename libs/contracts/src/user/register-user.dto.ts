import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsEmail, IsOptional, IsString, IsUUID, Length, Matches, MaxLength, MinLength, NotContains } from 'class-validator';
import { ErrorCode } from '../errors/error-code.js';
import { withCode } from '../validation/error-context.js';
import {
  IsNotCommonPassword,
  IsNotUsername,
  MaxUtf8Bytes,
  PASSWORD_MAX_BYTES,
  PASSWORD_MIN_LENGTH,
} from '../validation/password.validators.js';

export const USERNAME_CHARACTERS = /^[A-Za-z0-9_.-]+$/;
export const EMAIL_MAX_LENGTH = 254;

/** POST /register body; with the account's id, the `user.register` payload: validated on both sides. */
export class RegisterUserDto {
  @ApiProperty({ example: 'alice', minLength: 3, maxLength: 32, pattern: USERNAME_CHARACTERS.source })
  @IsString()
  @Length(3, 32)
  @Matches(USERNAME_CHARACTERS, { message: 'username may contain only letters, digits, "_", "." and "-"' })
  username: string;

  @ApiProperty({
    example: 'correct horse battery staple',
    format: 'password',
    minLength: PASSWORD_MIN_LENGTH,
    description: `At most ${PASSWORD_MAX_BYTES} UTF-8 bytes (PASSWORD_TOO_LONG); not a common password nor the username (PASSWORD_TOO_WEAK).`,
  })
  @IsString()
  @MinLength(PASSWORD_MIN_LENGTH)
  @NotContains('\u0000', { message: 'password must not contain NUL characters' })
  @MaxUtf8Bytes(PASSWORD_MAX_BYTES, withCode(ErrorCode.PasswordTooLong))
  @IsNotCommonPassword(withCode(ErrorCode.PasswordTooWeak))
  @IsNotUsername(withCode(ErrorCode.PasswordTooWeak))
  password: string;

  @ApiPropertyOptional({ example: 'alice@example.com', format: 'email', maxLength: EMAIL_MAX_LENGTH })
  @IsOptional()
  @IsString()
  @MaxLength(EMAIL_MAX_LENGTH)
  @IsEmail()
  email?: string;
}

/** `user.register`: the body, and the new account's id. */
export class RegisterUserRequest extends RegisterUserDto {
  /**
   * Chosen by the gateway, so that it can discard the account by id should the
   * reply be lost (`user.discard_registration`). Optional for a gateway from
   * before it (a rolling deploy): the database then chooses.
   */
  @IsOptional()
  @IsUUID()
  id?: string;
}
