import { randomUUID } from 'node:crypto';
import { Injectable, Logger } from '@nestjs/common';
import { ErrorCode } from '#contracts/errors';
import { IdentityPatterns, type AuthResponse, type RefreshTokenDto, type SessionClientDto } from '#contracts/identity';
import { UserEvents, UserPatterns, type CredentialsDto, type RegisterUserDto, type SessionOwner } from '#contracts/user';
import { AppError, reasonOf } from '#common/errors';
import { NoReply } from '#common/transport';
import { IdentityClient, UserClient } from '../rpc/clients.js';
import { asOwner } from '../users/as-owner.js';

/** The flows that span both services. Neither `register` nor token issuing is ever retried. */
@Injectable()
export class SessionsService {
  private readonly logger = new Logger(SessionsService.name);

  constructor(
    private readonly users: UserClient,
    private readonly identity: IdentityClient,
  ) {}

  /**
   * An account exists only if its registration answered 201. The gateway
   * names the account, so that it can discard it (`user.discard_registration`)
   * when the client will not hear of it: when the reply never came (a timeout,
   * or the connection lost while waiting: the commit may have happened all the
   * same), and when no session could be begun for it (identity down, slow or
   * overloaded, or the client gone).
   */
  async register(dto: RegisterUserDto, client: SessionClientDto): Promise<AuthResponse> {
    const id = randomUUID();
    let owner: SessionOwner;
    try {
      owner = await this.users.send(UserPatterns.Register, { ...dto, id });
    } catch (error) {
      // Not awaited: a user service that did not answer may not answer this either.
      if (error instanceof NoReply) void error.settled().then(() => this.discard(id));
      throw error;
    }
    try {
      return await this.signIn(owner, client);
    } catch (error) {
      await this.discard(id);
      throw error;
    }
  }

  async login(dto: CredentialsDto, client: SessionClientDto): Promise<AuthResponse> {
    const owner = await this.users.send(UserPatterns.VerifyCredentials, dto);
    const response = await this.signIn(owner, client);
    this.users.emit(UserEvents.LoggedIn, { userId: owner.id, at: new Date().toISOString() });
    return response;
  }

  /**
   * A session from before the account's latest password change may not go on,
   * whether or not identity heard of the change: it is ended here, and the
   * client told its token is no longer valid. So is a deleted account's.
   */
  async refresh(dto: RefreshTokenDto, client: SessionClientDto): Promise<AuthResponse> {
    const { userId, credentialsVersion, ...tokens } = await this.identity.send(IdentityPatterns.Refresh, { ...dto, ...client });
    const { credentialsVersion: current, ...user } = await asOwner(
      this.users.send(UserPatterns.FindSessionOwner, { id: userId }, { retry: true }),
    );
    if (current !== credentialsVersion) {
      // Best effort: should it fail, nobody holds the session's new token anyway.
      await this.identity.send(IdentityPatterns.Revoke, { refreshToken: tokens.refreshToken }).catch(() => undefined);
      throw new AppError(ErrorCode.InvalidRefreshToken, 'The session began before the password was changed');
    }
    return { user, ...tokens };
  }

  async logout(dto: RefreshTokenDto): Promise<void> {
    await this.identity.send(IdentityPatterns.Revoke, dto);
  }

  private async discard(userId: string): Promise<void> {
    try {
      await this.users.send(UserPatterns.DiscardRegistration, { id: userId }, { retry: true, cleanup: true });
    } catch (error) {
      // An account it made, if any, is left for its client to find as USERNAME_TAKEN.
      this.logger.warn(`Registration of user ${userId} failed, and so did discarding what it may have made: ${reasonOf(error)}`);
    }
  }

  /**
   * A session whose tokens never reached the gateway does not stay: the
   * gateway names it, and ends it when identity's reply never came (identity
   * may have begun it all the same), once that call has settled.
   */
  private async signIn({ credentialsVersion, ...user }: SessionOwner, client: SessionClientDto): Promise<AuthResponse> {
    const sessionId = randomUUID();
    try {
      const tokens = await this.identity.send(IdentityPatterns.IssueTokens, { userId: user.id, credentialsVersion, ...client, sessionId });
      return { user, ...tokens };
    } catch (error) {
      if (error instanceof NoReply) void error.settled().then(() => this.endSession(user.id, sessionId));
      throw error;
    }
  }

  private async endSession(userId: string, sessionId: string): Promise<void> {
    try {
      await this.identity.send(IdentityPatterns.RevokeSession, { userId, sessionId }, { retry: true, cleanup: true });
    } catch (error) {
      // NOT_FOUND: identity did not begin it, or undid it itself. Else it stays, with a refresh token nobody holds, until it expires.
      if (error instanceof AppError && error.code === ErrorCode.NotFound) return;
      this.logger.warn(`Session ${sessionId} of user ${userId} may have begun unseen, and could not be ended: ${reasonOf(error)}`);
    }
  }
}
