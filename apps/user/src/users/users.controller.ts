import { Controller } from '@nestjs/common';
import { EventPattern, MessagePattern, Payload } from '@nestjs/microservices';
import { CredentialsDto, FindUserDto, RegisterUserDto, UserEvents, UserLoggedInEvent, UserPatterns, type UserView } from '#contracts';
import { UsersService } from './users.service.js';

@Controller()
export class UsersController {
  constructor(private readonly users: UsersService) {}

  @MessagePattern(UserPatterns.Register)
  register(@Payload() dto: RegisterUserDto): Promise<UserView> {
    return this.users.register(dto);
  }

  @MessagePattern(UserPatterns.VerifyCredentials)
  verifyCredentials(@Payload() dto: CredentialsDto): Promise<UserView> {
    return this.users.verifyCredentials(dto);
  }

  @MessagePattern(UserPatterns.FindById)
  findById(@Payload() { id }: FindUserDto): Promise<UserView> {
    return this.users.findById(id);
  }

  @EventPattern(UserEvents.LoggedIn)
  recordLogin(@Payload() event: UserLoggedInEvent): Promise<void> {
    return this.users.recordLogin(event);
  }
}
