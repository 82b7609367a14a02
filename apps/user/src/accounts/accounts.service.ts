import { Injectable } from '@nestjs/common';
import { AppError, Deadline } from '#common';
import {
  ErrorCode,
  UserEvents,
  type Accepted,
  type ChangeEmailRequest,
  type ChangePasswordRequest,
  type DeleteAccountRequest,
  type PasswordReset,
  type ResetPasswordDto,
  type UserView,
} from '#contracts';
import { UserEventsPublisher } from '../outbox/mail.client.js';
import type { PendingMail } from '../outbox/outbox.repository.js';
import { PasswordHasher } from '../users/password-hasher.js';
import type { User } from '../users/user.entity.js';
import { toUserView } from '../users/user-view.js';
import { UsersRepository } from '../users/users.repository.js';
import { UsersService } from '../users/users.service.js';
import { AccountMailThrottle } from './account-mail-throttle.js';
import { AccountMails } from './account-mails.js';
import { AccountTokensRepository } from './account-tokens.repository.js';

const ACCEPTED: Accepted = { accepted: true };

const invalidToken = () => new AppError(ErrorCode.InvalidToken, 'The link is invalid, used or expired');

function assertNotUsername(password: string, user: User): void {
  if (password.toLowerCase() === user.username.toLowerCase()) {
    throw new AppError(ErrorCode.PasswordTooWeak, 'The password must not be the username');
  }
}

/** The account lifecycle: email verification, password reset and change, email change, deletion. */
@Injectable()
export class AccountsService {
  constructor(
    private readonly users: UsersRepository,
    private readonly accounts: UsersService,
    private readonly tokens: AccountTokensRepository,
    private readonly mails: AccountMails,
    private readonly hasher: PasswordHasher,
    private readonly events: UserEventsPublisher,
    private readonly mailThrottle: AccountMailThrottle,
  ) {}

  async requestEmailVerification(userId: string): Promise<Accepted> {
    const user = await this.find(userId);
    if (!user.email) throw new AppError(ErrorCode.EmailMissing, 'The account has no email address');
    if (user.emailVerifiedAt) throw new AppError(ErrorCode.EmailAlreadyVerified, 'The email address is already verified');
    const { allowed, retryAfterSeconds } = await this.mailThrottle.hit('email_verification', user.id);
    if (!allowed)
      throw new AppError(ErrorCode.RateLimited, 'Too many verification mails for this account; try again later', retryAfterSeconds);
    this.mails.sendCommitted(await this.users.transaction((db) => this.mails.queueVerification(db, user)));
    return ACCEPTED;
  }

  async verifyEmail(token: string): Promise<UserView> {
    const user = await this.users.transaction(async (db) => {
      const claimed = await this.tokens.claim(db, 'email_verification', token);
      const verified = claimed?.email ? await this.users.markEmailVerified(db, claimed.userId, claimed.email) : undefined;
      if (!verified) throw invalidToken();
      return verified;
    });
    return toUserView(user);
  }

  /**
   * The same answer whether or not an account has that address, and whether
   * or not its hourly mails are used up (a 429 would tell that it has one).
   */
  async requestPasswordReset(email: string): Promise<Accepted> {
    const user = await this.users.findByEmail(email);
    if (user && (await this.mailThrottle.hit('password_reset', user.id)).allowed) {
      this.mails.sendCommitted(await this.users.transaction((db) => this.mails.queuePasswordReset(db, user)));
    }
    return ACCEPTED;
  }

  async resetPassword({ token, password }: ResetPasswordDto, deadline = Deadline.none): Promise<PasswordReset> {
    // A dead token costs no bcrypt work; the claim below still decides races.
    const userId = await this.tokens.liveUserId('password_reset', token);
    if (!userId) throw invalidToken();
    assertNotUsername(password, await this.find(userId, invalidToken));
    const passwordHash = await this.hasher.hash(password, deadline);
    await this.users.transaction(async (db) => {
      if ((await this.tokens.claim(db, 'password_reset', token))?.userId !== userId) throw invalidToken();
      await this.users.setPasswordHash(db, userId, passwordHash);
      await this.tokens.revokeOutstanding(db, userId, 'password_reset');
      deadline.assertNotPassed('The password reset');
    });
    return { userId };
  }

  async changePassword({ userId, currentPassword, newPassword }: ChangePasswordRequest, deadline = Deadline.none): Promise<Accepted> {
    const user = await this.accounts.checkPassword(userId, currentPassword, deadline);
    assertNotUsername(newPassword, user);
    const passwordHash = await this.hasher.hash(newPassword, deadline);
    await this.users.transaction(async (db) => {
      await this.users.setPasswordHash(db, userId, passwordHash);
      await this.tokens.revokeOutstanding(db, userId, 'password_reset');
      deadline.assertNotPassed('The password change');
    });
    return ACCEPTED;
  }

  /** The new address is unverified until its own link is followed; the same verified address changes nothing. */
  async changeEmail({ userId, email, currentPassword }: ChangeEmailRequest, deadline = Deadline.none): Promise<UserView> {
    const user = await this.accounts.checkPassword(userId, currentPassword, deadline);
    if (user.emailVerifiedAt && user.email?.toLowerCase() === email.toLowerCase()) return toUserView(user);
    const changed: User = { ...user, email, emailVerifiedAt: null };
    let queued: PendingMail | undefined;
    try {
      queued = await this.users.transaction(async (db) => {
        await this.users.setEmail(db, userId, email);
        await this.tokens.revokeOutstanding(db, userId, 'email_verification');
        const mail = await this.mails.queueVerification(db, changed);
        deadline.assertNotPassed('The email change');
        return mail;
      });
    } catch (error) {
      throw this.accounts.conflict(error) ?? error;
    }
    this.mails.sendCommitted(queued);
    return toUserView(changed);
  }

  async delete({ userId, password }: DeleteAccountRequest, deadline = Deadline.none): Promise<Accepted> {
    await this.accounts.checkPassword(userId, password, deadline);
    await this.users.transaction(async (db) => {
      if (!(await this.users.delete(db, userId))) throw new AppError(ErrorCode.UserNotFound, 'No such user');
      deadline.assertNotPassed('The deletion');
    });
    this.events.publish(UserEvents.Deleted, { userId, at: new Date().toISOString() });
    return ACCEPTED;
  }

  private async find(userId: string, missing = () => new AppError(ErrorCode.UserNotFound, 'No such user')): Promise<User> {
    const user = await this.users.findById(userId);
    if (!user) throw missing();
    return user;
  }
}
