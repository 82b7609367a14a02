import { Injectable, Logger } from '@nestjs/common';
import { AppError, reasonOf, violatedUniqueConstraint } from '#common/errors';
import { Deadline } from '#common/overload';
import { ErrorCode } from '#contracts/errors';
import {
  UserEvents,
  type CredentialsDto,
  type RegisterUserRequest,
  type SessionOwner,
  type UserLoggedInEvent,
  type UserView,
} from '#contracts/user';
import { AccountMails } from '../accounts/account-mails.js';
import { UserEventsPublisher } from '../outbox/mail.client.js';
import type { PendingMail } from '../outbox/outbox.repository.js';
import { LoginThrottle } from './login-throttle.js';
import { PasswordHasher } from './password-hasher.js';
import { EMAIL_UNIQUE_INDEX, ID_PRIMARY_KEY, USERNAME_UNIQUE_INDEX, type User } from './user.entity.js';
import { UserViewsLoader } from './user-views.loader.js';
import { toUserView } from './user-view.js';
import { UsersRepository } from './users.repository.js';
import { userNotFound } from './user-not-found.js';

/**
 * How old an account may be and still be discarded as a registration nobody
 * heard of. The gateway asks within two call timeouts of the commit (the
 * register call's and identity's, at most 120 s each); past that, the
 * request is long answered and nothing should undo the account.
 */
const DISCARD_WITHIN_S = 600;

/** A rehash that could not start in this long (the slot was taken meanwhile) is dropped. */
const REHASH_WITHIN_MS = 10_000;

const sessionOwner = (user: User): SessionOwner => ({ ...toUserView(user), credentialsVersion: user.credentialsVersion });

@Injectable()
export class UsersService {
  private readonly logger = new Logger(UsersService.name);

  constructor(
    private readonly users: UsersRepository,
    private readonly hasher: PasswordHasher,
    private readonly throttle: LoginThrottle,
    private readonly mails: AccountMails,
    private readonly events: UserEventsPublisher,
    private readonly views: UserViewsLoader,
  ) {}

  /** The account is committed only if the caller is still waiting for it: no account without a 201. */
  async register(dto: RegisterUserRequest, deadline = Deadline.none): Promise<SessionOwner> {
    const passwordHash = await this.hasher.hash(dto.password, deadline);
    const { id = null, username, email } = dto;
    const inTime = () => deadline.assertNotPassed('Registration');
    let written: { user: User; mail?: PendingMail };
    try {
      // One statement either way: the account alone, or with its verification link and the mail carrying it.
      written = email
        ? await this.users.insertWithLink({ id, username, email, passwordHash }, this.mails.verificationLink(), inTime)
        : { user: await this.users.insert({ id, username, email: null, passwordHash }, inTime) };
    } catch (error) {
      throw this.conflict(error) ?? error;
    }
    const { user, mail } = written;
    await deadline.undoIfPassed('Registration', () => this.users.discardNew(user.id, DISCARD_WITHIN_S), this.logger);
    this.mails.sendCommitted(mail);
    this.events.publish(UserEvents.Registered, {
      userId: user.id,
      username: user.username,
      email: user.email,
      at: new Date().toISOString(),
    });
    return sessionOwner(user);
  }

  /**
   * A registration whose client got no 201 (its reply was lost, identity began
   * no session, or the client left): the account must not stay.
   */
  async discardRegistration(id: string): Promise<{ discarded: boolean }> {
    const discarded = await this.users.discardNew(id, DISCARD_WITHIN_S);
    if (discarded) {
      this.logger.log(`Registration of user ${id} discarded: its client was not told of it`);
      this.events.publish(UserEvents.Deleted, { userId: id, at: new Date().toISOString() });
    }
    return { discarded };
  }

  /**
   * The account's own password, for changes that need it (password, email,
   * deletion): counts toward the same per-account failure limit as login.
   */
  async checkPassword(userId: string, password: string, deadline: Deadline): Promise<User> {
    this.hasher.assertAdmissible(deadline);
    const user = await this.users.findById(userId);
    if (!user) throw userNotFound();
    const account = user.username.toLowerCase();
    await this.throttle.assertAllowed(account);
    if (!(await this.hasher.verify(password, user.passwordHash, deadline))) {
      await this.throttle.recordFailure(account);
      throw new AppError(ErrorCode.InvalidCredentials, 'The password is wrong');
    }
    await this.throttle.reset(account);
    return user;
  }

  async verifyCredentials({ username, password }: CredentialsDto, deadline = Deadline.none): Promise<SessionOwner> {
    // Under overload, refused on arrival before the failure counter's and the account's lookups (so 503 comes before 429).
    this.hasher.assertAdmissible(deadline);
    const account = username.toLowerCase();
    await this.throttle.assertAllowed(account);
    const user = await this.users.findByAccount(account);
    const valid = await this.hasher.verify(password, user?.passwordHash, deadline);
    if (!user || !valid) {
      await this.throttle.recordFailure(account);
      throw new AppError(ErrorCode.InvalidCredentials, 'Invalid username or password');
    }
    await this.throttle.reset(account);
    if (this.hasher.isOutdated(user.passwordHash) && this.hasher.hasIdleSlot()) void this.rehash(user, password);
    return sessionOwner(user);
  }

  /**
   * After BCRYPT_ROUNDS changed: the password, just proven, is hashed anew at
   * the configured cost once the login has been answered, so that old accounts
   * cost (and take) what new ones do. Not a password change: no session ends.
   * Only when a hashing slot is idle (a login never queues behind it; the
   * queue is first come, first served), else at a later login.
   */
  private async rehash(user: User, password: string): Promise<void> {
    try {
      const passwordHash = await this.hasher.hash(password, new Deadline(Date.now() + REHASH_WITHIN_MS));
      await this.users.replacePasswordHash(user.id, user.passwordHash, passwordHash);
    } catch (error) {
      this.logger.warn(`Rehash of user ${user.id} skipped: ${reasonOf(error)}`);
    }
  }

  /** For a refresh: whether the session's credentials are still the account's. */
  async findSessionOwner(id: string): Promise<SessionOwner> {
    const user = await this.users.findById(id);
    if (!user) throw userNotFound();
    return sessionOwner(user);
  }

  /** The hot path of GET /me. */
  async findById(id: string): Promise<UserView> {
    const user = await this.views.find(id);
    if (!user) throw userNotFound();
    return user;
  }

  recordLogin({ userId, at }: UserLoggedInEvent): Promise<void> {
    return this.users.recordLogin(userId, at);
  }

  conflict(error: unknown): AppError | undefined {
    switch (violatedUniqueConstraint(error)) {
      case USERNAME_UNIQUE_INDEX:
        return new AppError(ErrorCode.UsernameTaken, 'That username is taken');
      case EMAIL_UNIQUE_INDEX:
        return new AppError(ErrorCode.EmailTaken, 'That email is already registered');
      case ID_PRIMARY_KEY:
        return new AppError(ErrorCode.ValidationFailed, 'id is already in use');
      default:
        return undefined;
    }
  }
}
