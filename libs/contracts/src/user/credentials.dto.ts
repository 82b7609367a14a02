import { ApiProperty, type ApiPropertyOptions } from '@nestjs/swagger';
import { IsNotEmpty, IsString, MaxLength, NotContains } from 'class-validator';

/** Present, a string, bounded, and without NUL; nothing of the registration rules. */
function LoginField(maxLength: number, api: ApiPropertyOptions): PropertyDecorator {
  // In the order these rules had as stacked decorators (the lowest first), which is the order of their messages.
  return (target, key) => {
    NotContains('\u0000', { message: `${String(key)} must not contain NUL characters` })(target, key);
    MaxLength(maxLength)(target, key);
    IsNotEmpty()(target, key);
    IsString()(target, key);
    ApiProperty(api)(target, key);
  };
}

/**
 * POST /login body and the `user.verify_credentials` payload. Deliberately
 * loose: a login reveals nothing about the rules, it only succeeds or fails.
 */
export class CredentialsDto {
  @LoginField(64, { example: 'alice', description: 'Matched case-insensitively.' })
  username: string;

  @LoginField(1024, { example: 'correct horse battery staple', format: 'password' })
  password: string;
}
