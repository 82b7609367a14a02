import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { AppError, violatedUniqueConstraint } from '#common';
import { ErrorCode, type CredentialsDto, type RegisterUserDto, type UserLoggedInEvent, type UserView } from '#contracts';
import type { Repository } from 'typeorm';
import { LoginThrottle } from './login-throttle.js';
import { findUserView, toUserView } from './user-view.js';
import { PasswordHasher } from './password-hasher.js';
import { EMAIL_UNIQUE_INDEX, User, USERNAME_UNIQUE_INDEX } from './user.entity.js';

@Injectable()
export class UsersService {
  constructor(
    @InjectRepository(User) private readonly users: Repository<User>,
    private readonly hasher: PasswordHasher,
    private readonly throttle: LoginThrottle,
  ) {}

  async register(dto: RegisterUserDto): Promise<UserView> {
    const user = this.users.create({
      username: dto.username,
      email: dto.email ?? null,
      passwordHash: await this.hasher.hash(dto.password),
      lastLoginAt: null,
    });
    try {
      // One INSERT ... RETURNING; the unique indexes decide races between concurrent registrations.
      await this.users.insert(user);
    } catch (error) {
      throw this.conflict(error) ?? error;
    }
    return toUserView(user);
  }

  async verifyCredentials({ username, password }: CredentialsDto): Promise<UserView> {
    const account = username.toLowerCase();
    this.throttle.assertAllowed(account);
    const user = await this.users
      .createQueryBuilder('user')
      .where('lower(user.username) = :account', { account })
      .getOne();
    const valid = await this.hasher.verify(password, user?.passwordHash);
    if (!user || !valid) {
      this.throttle.recordFailure(account);
      throw new AppError(401, ErrorCode.InvalidCredentials, 'Invalid username or password');
    }
    this.throttle.reset(account);
    return toUserView(user);
  }

  /** The hot path of GET /me. */
  async findById(id: string): Promise<UserView> {
    const user = await findUserView(this.users, id);
    if (!user) throw new AppError(404, ErrorCode.UserNotFound, 'No such user');
    return user;
  }

  /** Events may arrive out of order: keep the latest time. */
  async recordLogin({ userId, at }: UserLoggedInEvent): Promise<void> {
    await this.users
      .createQueryBuilder()
      .update(User)
      .set({ lastLoginAt: () => 'GREATEST(COALESCE(last_login_at, :at), :at)' })
      .where('id = :userId', { userId })
      .setParameter('at', at)
      .execute();
  }

  private conflict(error: unknown): AppError | undefined {
    switch (violatedUniqueConstraint(error)) {
      case USERNAME_UNIQUE_INDEX:
        return new AppError(409, ErrorCode.UsernameTaken, 'That username is taken');
      case EMAIL_UNIQUE_INDEX:
        return new AppError(409, ErrorCode.EmailTaken, 'That email is already registered');
      default:
        return undefined;
    }
  }
}
