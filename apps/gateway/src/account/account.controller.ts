import { Body, Controller, Delete, HttpCode, Patch, Post } from '@nestjs/common';
import { ApiAcceptedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ErrorCode } from '#contracts/errors';
import type { AccessClaims } from '#contracts/identity';
import {
  ChangeEmailDto,
  ChangePasswordDto,
  DeleteAccountDto,
  ForgotPasswordDto,
  ResetPasswordDto,
  UserView,
  VerifyEmailDto,
  type Accepted,
} from '#contracts/user';
import { Auth, Authenticated } from '../auth/auth.decorator.js';
import { ApiErrorCodes } from '../docs/api-error-responses.js';
import { NoContent } from '../docs/no-content.js';
import { IpRateLimited } from '../security/ip-rate-limit.js';
import { AccountService } from './account.service.js';

const { ValidationFailed, Unauthorized, InvalidCredentials, RateLimited, ServiceUnavailable, ServiceOverloaded, UpstreamTimeout } =
  ErrorCode;
const UPSTREAM = [ServiceUnavailable, ServiceOverloaded, UpstreamTimeout] as const;
const PASSWORD_RULES = [ValidationFailed, ErrorCode.PasswordTooLong, ErrorCode.PasswordTooWeak] as const;

@ApiTags('account')
@Controller()
export class AccountController {
  constructor(private readonly account: AccountService) {}

  @Post('email/verification')
  @HttpCode(202)
  @Authenticated()
  @IpRateLimited()
  @ApiOperation({ summary: "(Re)sends the verification mail to the account's unverified email." })
  @ApiAcceptedResponse({ description: 'The mail is queued; it is delivered even if the mail service is down right now.' })
  @ApiErrorCodes(ErrorCode.EmailMissing, ErrorCode.EmailAlreadyVerified, Unauthorized, RateLimited, ...UPSTREAM)
  requestVerification(@Auth() claims: AccessClaims): Promise<Accepted> {
    return this.account.requestEmailVerification(claims);
  }

  @Post('email/verify')
  @HttpCode(200)
  @IpRateLimited()
  @ApiOperation({ summary: 'Proves the email with the token from the verification mail (once).' })
  @ApiOkResponse({ type: UserView })
  @ApiErrorCodes(ValidationFailed, ErrorCode.InvalidToken, RateLimited, ...UPSTREAM)
  verify(@Body() { token }: VerifyEmailDto): Promise<UserView> {
    return this.account.verifyEmail(token);
  }

  @Post('password/forgot')
  @HttpCode(202)
  @IpRateLimited()
  @ApiOperation({ summary: 'Mails a reset link if an account has this email; the answer is the same either way.' })
  @ApiAcceptedResponse({ description: 'Always `{ "accepted": true }`.' })
  @ApiErrorCodes(ValidationFailed, RateLimited, ...UPSTREAM)
  forgot(@Body() { email }: ForgotPasswordDto): Promise<Accepted> {
    return this.account.forgotPassword(email);
  }

  @Post('password/reset')
  @NoContent('The password is changed and every session revoked.')
  @ApiOperation({ summary: 'Sets a new password with the token from the reset mail (once); every session of the user ends.' })
  @ApiErrorCodes(...PASSWORD_RULES, ErrorCode.InvalidToken, ...UPSTREAM)
  async reset(@Body() dto: ResetPasswordDto): Promise<void> {
    await this.account.resetPassword(dto);
  }

  @Post('password/change')
  @NoContent('The password is changed.')
  @Authenticated()
  @ApiOperation({ summary: 'Changes the password; every other session ends, this one stays.' })
  @ApiErrorCodes(...PASSWORD_RULES, InvalidCredentials, Unauthorized, RateLimited, ...UPSTREAM)
  async change(@Auth() claims: AccessClaims, @Body() dto: ChangePasswordDto): Promise<void> {
    await this.account.changePassword(claims, dto);
  }

  @Patch('me')
  @Authenticated()
  @ApiOperation({ summary: 'Changes the email: the new one is unverified, and a verification mail goes to it.' })
  @ApiOkResponse({ type: UserView })
  @ApiErrorCodes(ValidationFailed, InvalidCredentials, Unauthorized, ErrorCode.EmailTaken, RateLimited, ...UPSTREAM)
  changeEmail(@Auth() claims: AccessClaims, @Body() dto: ChangeEmailDto): Promise<UserView> {
    return this.account.changeEmail(claims, dto);
  }

  @Delete('me')
  @NoContent('The account is gone.')
  @Authenticated()
  @ApiOperation({ summary: 'Deletes the account and ends every session; the username and email may be registered again.' })
  @ApiErrorCodes(ValidationFailed, InvalidCredentials, Unauthorized, RateLimited, ...UPSTREAM)
  async deleteAccount(@Auth() claims: AccessClaims, @Body() dto: DeleteAccountDto): Promise<void> {
    await this.account.deleteAccount(claims, dto);
  }
}
