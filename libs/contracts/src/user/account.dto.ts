import { applyDecorators } from '@nestjs/common';
import { ApiProperty, type ApiPropertyOptions } from '@nestjs/swagger';
import { IsEmail, IsNotEmpty, IsString, IsUUID, MaxLength, MinLength, NotContains } from 'class-validator';
import { ErrorCode } from '../errors/error-code.js';
import { withCode } from '../validation/error-context.js';
import { IsNotCommonPassword, MaxUtf8Bytes, PASSWORD_MAX_BYTES, PASSWORD_MIN_LENGTH } from '../validation/password.validators.js';
import { EMAIL_MAX_LENGTH } from './register-user.dto.js';

// HTTP bodies of the account lifecycle, and the user service's payloads: the
// payload is the body plus the user the bearer token names, so both sides
// validate one shape. "Not the username" is checked by the user service,
// which knows the username.

/** A new password: the registration policy, minus the username check. */
function NewPassword(): PropertyDecorator {
  return (target, key) => {
    ApiProperty({ format: 'password', minLength: PASSWORD_MIN_LENGTH, description: `At most ${PASSWORD_MAX_BYTES} UTF-8 bytes.` })(
      target,
      key,
    );
    IsString()(target, key);
    MinLength(PASSWORD_MIN_LENGTH)(target, key);
    NotContains('\u0000', { message: `${String(key)} must not contain NUL characters` })(target, key);
    MaxUtf8Bytes(PASSWORD_MAX_BYTES, withCode(ErrorCode.PasswordTooLong))(target, key);
    IsNotCommonPassword(withCode(ErrorCode.PasswordTooWeak))(target, key);
  };
}

/** A string that is only compared or looked up, so any one will do: present, a string, and bounded. */
function LooseString(maxLength: number, api: ApiPropertyOptions): PropertyDecorator {
  return applyDecorators(ApiProperty(api), IsString(), IsNotEmpty(), MaxLength(maxLength));
}

/** A password that is only compared: loose, like login's. */
const CurrentPassword = () => LooseString(1024, { format: 'password' });

/** A token from a mail's link: any string; an unknown one is INVALID_TOKEN, not a validation error. */
const MailToken = () => LooseString(256, { description: 'The token from the link in the mail.' });

function Email(): PropertyDecorator {
  return (target, key) => {
    ApiProperty({ example: 'alice@example.com', format: 'email', maxLength: EMAIL_MAX_LENGTH })(target, key);
    IsString()(target, key);
    MaxLength(EMAIL_MAX_LENGTH)(target, key);
    IsEmail()(target, key);
  };
}

/** Whose account: from the verified access token, never from the HTTP body. */
export class ForUserDto {
  @IsUUID()
  userId: string;
}

export class VerifyEmailDto {
  @MailToken()
  token: string;
}

export class ForgotPasswordDto {
  @Email()
  email: string;
}

export class ResetPasswordDto {
  @MailToken()
  token: string;

  @NewPassword()
  password: string;
}

export class ChangePasswordDto {
  @CurrentPassword()
  currentPassword: string;

  @NewPassword()
  newPassword: string;
}

export class ChangePasswordRequest extends ChangePasswordDto {
  @IsUUID()
  userId: string;
}

export class ChangeEmailDto {
  @Email()
  email: string;

  @CurrentPassword()
  currentPassword: string;
}

export class ChangeEmailRequest extends ChangeEmailDto {
  @IsUUID()
  userId: string;
}

export class DeleteAccountDto {
  @CurrentPassword()
  password: string;
}

export class DeleteAccountRequest extends DeleteAccountDto {
  @IsUUID()
  userId: string;
}

/** Reply of requests whose effect is a mail, or nothing visible. */
export interface Accepted {
  accepted: true;
}

/** Reply of a password reset: whose sessions the gateway must now revoke. */
export interface PasswordReset {
  userId: string;
}

/** Reply of a password change: the count the session that made it continues under. */
export interface PasswordChanged {
  credentialsVersion: number;
}
