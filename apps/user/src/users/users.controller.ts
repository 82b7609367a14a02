import { Controller } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import { CallDeadline, Deadline } from '#common/overload';
import {
  CredentialsDto,
  FindUserDto,
  RegisterUserRequest,
  UserEvents,
  UserLoggedInEvent,
  UserPatterns,
  type SessionOwner,
  type UserView,
} from '#contracts/user';
import { UserEvent, UserMessage } from '../user.handlers.js';
import { UsersService } from './users.service.js';

@Controller()
export class UsersController {
  constructor(private readonly users: UsersService) {}

  @UserMessage(UserPatterns.Register)
  register(@Payload() dto: RegisterUserRequest, @CallDeadline() deadline: Deadline): Promise<SessionOwner> {
    return this.users.register(dto, deadline);
  }

  @UserMessage(UserPatterns.VerifyCredentials)
  verifyCredentials(@Payload() dto: CredentialsDto, @CallDeadline() deadline: Deadline): Promise<SessionOwner> {
    return this.users.verifyCredentials(dto, deadline);
  }

  @UserMessage(UserPatterns.FindById)
  findById(@Payload() { id }: FindUserDto): Promise<UserView> {
    return this.users.findById(id);
  }

  @UserMessage(UserPatterns.FindSessionOwner)
  findSessionOwner(@Payload() { id }: FindUserDto): Promise<SessionOwner> {
    return this.users.findSessionOwner(id);
  }

  @UserMessage(UserPatterns.DiscardRegistration)
  discardRegistration(@Payload() { id }: FindUserDto): Promise<{ discarded: boolean }> {
    return this.users.discardRegistration(id);
  }

  @UserEvent(UserEvents.LoggedIn)
  recordLogin(@Payload() event: UserLoggedInEvent): Promise<void> {
    return this.users.recordLogin(event);
  }
}
