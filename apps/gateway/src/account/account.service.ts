import { Injectable } from '@nestjs/common';
import { IdentityPatterns, type AccessClaims } from '#contracts/identity';
import {
  UserPatterns,
  type Accepted,
  type ChangeEmailDto,
  type ChangePasswordDto,
  type DeleteAccountDto,
  type ResetPasswordDto,
  type UserView,
} from '#contracts/user';
import { IdentityClient, UserClient } from '../rpc/clients.js';
import { asOwner } from '../users/as-owner.js';

/**
 * The account lifecycle across both services: the user service decides and
 * records (and mails), then identity ends the sessions the change must end,
 * each step an acknowledged call.
 */
@Injectable()
export class AccountService {
  constructor(
    private readonly users: UserClient,
    private readonly identity: IdentityClient,
  ) {}

  requestEmailVerification({ sub }: AccessClaims): Promise<Accepted> {
    return asOwner(this.users.send(UserPatterns.RequestEmailVerification, { userId: sub }));
  }

  verifyEmail(token: string): Promise<UserView> {
    return this.users.send(UserPatterns.VerifyEmail, { token });
  }

  forgotPassword(email: string): Promise<Accepted> {
    return this.users.send(UserPatterns.RequestPasswordReset, { email });
  }

  /** Whoever had the old password may hold sessions: every one of them ends. */
  async resetPassword(dto: ResetPasswordDto): Promise<void> {
    const { userId } = await this.users.send(UserPatterns.ResetPassword, dto);
    await this.identity.send(IdentityPatterns.RevokeUserSessions, { userId });
  }

  /**
   * Every other session ends; the one that changed the password stays signed
   * in, under the new count. (Had identity missed this, the other sessions, and
   * this one too, would still end at their next refresh.)
   */
  async changePassword({ sub, sid }: AccessClaims, dto: ChangePasswordDto): Promise<void> {
    const { credentialsVersion } = await asOwner(this.users.send(UserPatterns.ChangePassword, { userId: sub, ...dto }));
    await this.identity.send(IdentityPatterns.RevokeUserSessions, { userId: sub, exceptSessionId: sid, credentialsVersion });
  }

  changeEmail({ sub }: AccessClaims, dto: ChangeEmailDto): Promise<UserView> {
    return asOwner(this.users.send(UserPatterns.ChangeEmail, { userId: sub, ...dto }));
  }

  async deleteAccount({ sub }: AccessClaims, dto: DeleteAccountDto): Promise<void> {
    await asOwner(this.users.send(UserPatterns.Delete, { userId: sub, ...dto }));
    await this.identity.send(IdentityPatterns.RevokeUserSessions, { userId: sub });
  }
}
