import { Controller } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import { CallDeadline, Deadline } from '#common/overload';
import {
  ChangeEmailRequest,
  ChangePasswordRequest,
  DeleteAccountRequest,
  ForgotPasswordDto,
  ForUserDto,
  ResetPasswordDto,
  UserPatterns,
  VerifyEmailDto,
  type Accepted,
  type PasswordChanged,
  type PasswordReset,
  type UserView,
} from '#contracts/user';
import { UserMessage } from '../user.handlers.js';
import { AccountsService } from './accounts.service.js';

@Controller()
export class AccountsController {
  constructor(private readonly accounts: AccountsService) {}

  @UserMessage(UserPatterns.RequestEmailVerification)
  requestEmailVerification(@Payload() { userId }: ForUserDto, @CallDeadline() deadline: Deadline): Promise<Accepted> {
    return this.accounts.requestEmailVerification(userId, deadline);
  }

  @UserMessage(UserPatterns.VerifyEmail)
  verifyEmail(@Payload() { token }: VerifyEmailDto, @CallDeadline() deadline: Deadline): Promise<UserView> {
    return this.accounts.verifyEmail(token, deadline);
  }

  @UserMessage(UserPatterns.RequestPasswordReset)
  requestPasswordReset(@Payload() { email }: ForgotPasswordDto, @CallDeadline() deadline: Deadline): Promise<Accepted> {
    return this.accounts.requestPasswordReset(email, deadline);
  }

  @UserMessage(UserPatterns.ResetPassword)
  resetPassword(@Payload() dto: ResetPasswordDto, @CallDeadline() deadline: Deadline): Promise<PasswordReset> {
    return this.accounts.resetPassword(dto, deadline);
  }

  @UserMessage(UserPatterns.ChangePassword)
  changePassword(@Payload() dto: ChangePasswordRequest, @CallDeadline() deadline: Deadline): Promise<PasswordChanged> {
    return this.accounts.changePassword(dto, deadline);
  }

  @UserMessage(UserPatterns.ChangeEmail)
  changeEmail(@Payload() dto: ChangeEmailRequest, @CallDeadline() deadline: Deadline): Promise<UserView> {
    return this.accounts.changeEmail(dto, deadline);
  }

  @UserMessage(UserPatterns.Delete)
  delete(@Payload() dto: DeleteAccountRequest, @CallDeadline() deadline: Deadline): Promise<Accepted> {
    return this.accounts.delete(dto, deadline);
  }
}
