import { Injectable } from '@nestjs/common';
import {
  IdentityPatterns,
  UserEvents,
  UserPatterns,
  type AuthResponse,
  type CredentialsDto,
  type RefreshedTokens,
  type RefreshTokenDto,
  type RegisterUserDto,
  type TokenPair,
  type UserLoggedInEvent,
  type UserView,
} from '#contracts';
import { IdentityClient, UserClient } from '../rpc/service-client.js';
import { UsersService } from '../users/users.service.js';

/** The flows that span both services. Neither `register` nor token issuing is ever retried. */
@Injectable()
export class AuthService {
  constructor(
    private readonly users: UserClient,
    private readonly identity: IdentityClient,
    private readonly accounts: UsersService,
  ) {}

  async register(dto: RegisterUserDto): Promise<AuthResponse> {
    const user = await this.users.send<UserView>(UserPatterns.Register, dto);
    return this.signIn(user);
  }

  async login(dto: CredentialsDto): Promise<AuthResponse> {
    const user = await this.users.send<UserView>(UserPatterns.VerifyCredentials, dto);
    const response = await this.signIn(user);
    const event: UserLoggedInEvent = { userId: user.id, at: new Date().toISOString() };
    this.users.emit(UserEvents.LoggedIn, event);
    return response;
  }

  async refresh(dto: RefreshTokenDto): Promise<AuthResponse> {
    const { userId, ...tokens } = await this.identity.send<RefreshedTokens>(IdentityPatterns.Refresh, dto);
    return { user: await this.accounts.current(userId), ...tokens };
  }

  async logout(dto: RefreshTokenDto): Promise<void> {
    await this.identity.send(IdentityPatterns.Revoke, dto);
  }

  private async signIn(user: UserView): Promise<AuthResponse> {
    const tokens = await this.identity.send<TokenPair>(IdentityPatterns.IssueTokens, { userId: user.id });
    return { user, ...tokens };
  }
}
