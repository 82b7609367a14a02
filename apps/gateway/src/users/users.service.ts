import { Injectable } from '@nestjs/common';
import { AppError } from '#common';
import { ErrorCode, UserPatterns, type UserView } from '#contracts';
import { UserClient } from '../rpc/clients.js';

@Injectable()
export class UsersService {
  constructor(private readonly users: UserClient) {}

  /** The account a valid token names; a token for a deleted account is no longer valid. */
  async current(userId: string): Promise<UserView> {
    try {
      return await this.users.send(UserPatterns.FindById, { id: userId }, { retry: true });
    } catch (error) {
      if (error instanceof AppError && error.code === ErrorCode.UserNotFound) throw AppError.unauthorized('The account no longer exists');
      throw error;
    }
  }
}
