import { Injectable } from '@nestjs/common';
import {
  IdentityPatterns,
  UserEvents,
  UserPatterns,
  type AuthResponse,
  type CredentialsDto,
  type RefreshTokenDto,
  type RegisterUserDto,
  type SessionClientDto,
  type UserView,
} from '#contracts';
import { IdentityClient, UserClient } from '../rpc/clients.js';
import { UsersService } from '../users/users.service.js';

/** The flows that span both services. Neither `register` nor token issuing is ever retried. */
@Injectable()
export class SessionsService {
  constructor(
    private readonly users: UserClient,
    private readonly identity: IdentityClient,
    private readonly accounts: UsersService,
  ) {}

  async register(dto: RegisterUserDto, client: SessionClientDto): Promise<AuthResponse> {
    const user = await this.users.send(UserPatterns.Register, dto);
    return this.signIn(user, client);
  }

  async login(dto: CredentialsDto, client: SessionClientDto): Promise<AuthResponse> {
    const user = await this.users.send(UserPatterns.VerifyCredentials, dto);
    const response = await this.signIn(user, client);
    this.users.emit(UserEvents.LoggedIn, { userId: user.id, at: new Date().toISOString() });
    return response;
  }

  async refresh(dto: RefreshTokenDto, client: SessionClientDto): Promise<AuthResponse> {
    const { userId, ...tokens } = await this.identity.send(IdentityPatterns.Refresh, { ...dto, ...client });
    return { user: await this.accounts.current(userId), ...tokens };
  }

  async logout(dto: RefreshTokenDto): Promise<void> {
    await this.identity.send(IdentityPatterns.Revoke, dto);
  }

  private async signIn(user: UserView, client: SessionClientDto): Promise<AuthResponse> {
    const tokens = await this.identity.send(IdentityPatterns.IssueTokens, { userId: user.id, ...client });
    return { user, ...tokens };
  }
}
