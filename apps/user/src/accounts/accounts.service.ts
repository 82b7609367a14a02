import { Injectable } from '@nestjs/common';
import { AppError } from '#common/errors';
import { Deadline } from '#common/overload';
import { ErrorCode } from '#contracts/errors';
import {
  UserEvents,
  type Accepted,
  type ChangeEmailRequest,
  type ChangePasswordRequest,
  type DeleteAccountRequest,
  type PasswordChanged,
  type PasswordReset,
  type ResetPasswordDto,
  type UserView,
} from '#contracts/user';
import type { EntityManager } from 'typeorm';
import { UserEventsPublisher } from '../outbox/mail.client.js';
import type { PendingMail } from '../outbox/outbox.repository.js';
import { PasswordHasher } from '../users/password-hasher.js';
import type { User } from '../users/user.entity.js';
import { toUserView } from '../users/user-view.js';
import { UsersRepository } from '../users/users.repository.js';
import { UsersService } from '../users/users.service.js';
import { userNotFound } from '../users/user-not-found.js';
import { AccountMailThrottle } from './account-mail-throttle.js';
import { AccountMails } from './account-mails.js';
import { AccountTokensRepository } from './account-tokens.repository.js';

const ACCEPTED: Accepted = { accepted: true };

const invalidToken = () => new AppError(ErrorCode.InvalidToken, 'The link is invalid, used or expired');
const unlessNotFound = (error: unknown): undefined => {
  if (error instanceof AppError && error.code === ErrorCode.UserNotFound) return undefined;
  throw error;
};

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

  /** Decided on the locked row: an address changed or verified meanwhile is not mailed to. */
  async requestEmailVerification(userId: string, deadline = Deadline.none): Promise<Accepted> {
    const mail = await this.changeAccount(userId, userNotFound, deadline, 'The verification request', async (db, user) => {
      if (!user.email) throw new AppError(ErrorCode.EmailMissing, 'The account has no email address');
      if (user.emailVerifiedAt) throw new AppError(ErrorCode.EmailAlreadyVerified, 'The email address is already verified');
      const { allowed, retryAfterSeconds } = await this.mailThrottle.hit('email_verification', user.id);
      if (!allowed) {
        throw new AppError(ErrorCode.RateLimited, 'Too many verification mails for this account; try again later', retryAfterSeconds);
      }
      return this.mails.queueVerification(db, user);
    });
    this.mails.sendCommitted(mail);
    return ACCEPTED;
  }

  async verifyEmail(token: string, deadline = Deadline.none): Promise<UserView> {
    const userId = await this.tokens.liveUserId('email_verification', token);
    if (!userId) throw invalidToken();
    const user = await this.changeAccount(userId, invalidToken, deadline, 'The verification', async (db) => {
      const claimed = await this.tokens.claim(db, 'email_verification', token);
      const verified =
        claimed?.userId === userId && claimed.email ? await this.users.markEmailVerified(db, userId, claimed.email) : undefined;
      if (!verified) throw invalidToken();
      return verified;
    });
    return toUserView(user);
  }

  /**
   * The same answer whether or not an account has that address, and whether
   * or not its hourly mails are used up (a 429 would tell that it has one).
   */
  async requestPasswordReset(email: string, deadline = Deadline.none): Promise<Accepted> {
    const user = await this.users.findByEmail(email);
    if (user && (await this.mailThrottle.hit('password_reset', user.id)).allowed) {
      // Only to the address asked for, if the account still has it once locked: an email change may have just ended its links.
      const queue = (db: EntityManager, current: User) =>
        current.email?.toLowerCase() === email.toLowerCase() ? this.mails.queuePasswordReset(db, current) : Promise.resolve(undefined);
      // Deleted meanwhile: answered as for any address without an account.
      const mail = await this.changeAccount(user.id, userNotFound, deadline, 'The reset request', queue).catch(unlessNotFound);
      this.mails.sendCommitted(mail);
    }
    return ACCEPTED;
  }

  async resetPassword({ token, password }: ResetPasswordDto, deadline = Deadline.none): Promise<PasswordReset> {
    // A dead token costs no bcrypt work; the claim below still decides races.
    const userId = await this.tokens.liveUserId('password_reset', token);
    if (!userId) throw invalidToken();
    assertNotUsername(password, await this.find(userId, invalidToken));
    const passwordHash = await this.hasher.hash(password, deadline);
    await this.changeAccount(userId, invalidToken, deadline, 'The password reset', async (db, current) => {
      // A link works only for the account, and the address, it was mailed to.
      const claimed = await this.tokens.claim(db, 'password_reset', token);
      if (claimed?.userId !== userId || claimed.email?.toLowerCase() !== current.email?.toLowerCase()) throw invalidToken();
      await this.users.setPasswordHash(db, userId, passwordHash);
      await this.mails.revokeOutstanding(db, userId, 'password_reset');
    });
    return { userId };
  }

  async changePassword(
    { userId, currentPassword, newPassword }: ChangePasswordRequest,
    deadline = Deadline.none,
  ): Promise<PasswordChanged> {
    const user = await this.accounts.checkPassword(userId, currentPassword, deadline);
    assertNotUsername(newPassword, user);
    const passwordHash = await this.hasher.hash(newPassword, deadline);
    const credentialsVersion = await this.changeAccount(userId, userNotFound, deadline, 'The password change', async (db) => {
      await this.mails.revokeOutstanding(db, userId, 'password_reset');
      return this.users.setPasswordHash(db, userId, passwordHash);
    });
    return { credentialsVersion };
  }

  /**
   * The new address is unverified until its own link is followed; the same
   * verified address changes nothing. Links mailed to the old address, for
   * either purpose, stop working: whoever reads that mailbox may no longer be the owner.
   */
  async changeEmail({ userId, email, currentPassword }: ChangeEmailRequest, deadline = Deadline.none): Promise<UserView> {
    const user = await this.accounts.checkPassword(userId, currentPassword, deadline);
    if (user.emailVerifiedAt && user.email?.toLowerCase() === email.toLowerCase()) return toUserView(user);
    const changed: User = { ...user, email, emailVerifiedAt: null };
    let queued: PendingMail | undefined;
    try {
      queued = await this.changeAccount(userId, userNotFound, deadline, 'The email change', async (db) => {
        await this.users.setEmail(db, userId, email);
        await this.mails.revokeOutstanding(db, userId, 'email_verification', 'password_reset');
        return this.mails.queueVerification(db, changed);
      });
    } catch (error) {
      throw this.accounts.conflict(error) ?? error;
    }
    this.mails.sendCommitted(queued);
    return toUserView(changed);
  }

  async delete({ userId, password }: DeleteAccountRequest, deadline = Deadline.none): Promise<Accepted> {
    await this.accounts.checkPassword(userId, password, deadline);
    await this.changeAccount(userId, userNotFound, deadline, 'The deletion', (db) => this.users.delete(db, userId));
    this.events.publish(UserEvents.Deleted, { userId, at: new Date().toISOString() });
    return ACCEPTED;
  }

  /**
   * One transaction that changes an account: it locks the user row first, as
   * every other such transaction does, so that two changes of one account
   * (a verification and an email change, two resets) queue instead of
   * deadlocking; an account deleted meanwhile is `missing()`. Past the
   * deadline it commits nothing.
   */
  private changeAccount<T>(
    userId: string,
    missing: () => AppError,
    deadline: Deadline,
    what: string,
    work: (db: EntityManager, current: User) => Promise<T>,
  ): Promise<T> {
    return this.users.transaction(async (db) => {
      const current = await this.users.lockRow(db, userId);
      if (!current) throw missing();
      const result = await work(db, current);
      deadline.assertNotPassed(what);
      return result;
    });
  }

  private async find(userId: string, missing = userNotFound): Promise<User> {
    const user = await this.users.findById(userId);
    if (!user) throw missing();
    return user;
  }
}
