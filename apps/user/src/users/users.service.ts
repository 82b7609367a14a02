import { Injectable } from '@nestjs/common';
import { AppError, Deadline, violatedUniqueConstraint } from '#common';
import { ErrorCode, type CredentialsDto, type RegisterUserDto, type UserLoggedInEvent, type UserView } from '#contracts';
import { LoginThrottle } from './login-throttle.js';
import { PasswordHasher } from './password-hasher.js';
import { EMAIL_UNIQUE_INDEX, USERNAME_UNIQUE_INDEX } from './user.entity.js';
import { toUserView, UsersRepository } from './users.repository.js';

@Injectable()
export class UsersService {
  constructor(
    private readonly users: UsersRepository,
    private readonly hasher: PasswordHasher,
    private readonly throttle: LoginThrottle,
  ) {}

  /** The account is committed only if the caller is still waiting for it: no account without a 201. */
  async register(dto: RegisterUserDto, deadline = Deadline.none): Promise<UserView> {
    const passwordHash = await this.hasher.hash(dto.password, deadline);
    const fields = { username: dto.username, email: dto.email ?? null, passwordHash };
    try {
      return toUserView(await this.users.insert(fields, () => deadline.assertNotPassed('Registration')));
    } catch (error) {
      throw this.conflict(error) ?? error;
    }
  }

  async verifyCredentials({ username, password }: CredentialsDto, deadline = Deadline.none): Promise<UserView> {
    const account = username.toLowerCase();
    this.throttle.assertAllowed(account);
    const user = await this.users.findByAccount(account);
    const valid = await this.hasher.verify(password, user?.passwordHash, deadline);
    if (!user || !valid) {
      this.throttle.recordFailure(account);
      throw new AppError(ErrorCode.InvalidCredentials, 'Invalid username or password');
    }
    this.throttle.reset(account);
    return toUserView(user);
  }

  /** The hot path of GET /me. */
  async findById(id: string): Promise<UserView> {
    const user = await this.users.findViewById(id);
    if (!user) throw new AppError(ErrorCode.UserNotFound, 'No such user');
    return user;
  }

  recordLogin({ userId, at }: UserLoggedInEvent): Promise<void> {
    return this.users.recordLogin(userId, at);
  }

  private conflict(error: unknown): AppError | undefined {
    switch (violatedUniqueConstraint(error)) {
      case USERNAME_UNIQUE_INDEX:
        return new AppError(ErrorCode.UsernameTaken, 'That username is taken');
      case EMAIL_UNIQUE_INDEX:
        return new AppError(ErrorCode.EmailTaken, 'That email is already registered');
      default:
        return undefined;
    }
  }
}
