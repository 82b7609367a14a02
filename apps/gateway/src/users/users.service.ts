import { Injectable } from '@nestjs/common';
import { UserPatterns, type UserView } from '#contracts/user';
import { UserClient } from '../rpc/clients.js';
import { asOwner } from './as-owner.js';

@Injectable()
export class UsersService {
  constructor(private readonly users: UserClient) {}

  /** The account a valid token names; a token for a deleted account is no longer valid. */
  current(userId: string): Promise<UserView> {
    return asOwner(this.users.send(UserPatterns.FindById, { id: userId }, { retry: true }));
  }
}
