import { Controller } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import { CallDeadline, Deadline } from '#common/overload';
import {
  IdentityPatterns,
  IssueTokensDto,
  ListSessionsDto,
  RefreshSessionDto,
  RefreshTokenDto,
  RevokeSessionDto,
  RevokeUserSessionsDto,
  type RefreshedTokens,
  type RevokeResult,
  type SessionView,
  type TokenPair,
} from '#contracts/identity';
import { IdentityMessage } from '../identity.handlers.js';
import { SessionsService } from './sessions.service.js';

@Controller()
export class SessionsController {
  constructor(private readonly sessions: SessionsService) {}

  @IdentityMessage(IdentityPatterns.IssueTokens)
  issueTokens(
    @Payload() { userId, credentialsVersion, userAgent, ip, sessionId }: IssueTokensDto,
    @CallDeadline() deadline: Deadline,
  ): Promise<TokenPair> {
    return this.sessions.issue({ userId, credentialsVersion: credentialsVersion ?? 0 }, deadline, { userAgent, ip }, sessionId);
  }

  @IdentityMessage(IdentityPatterns.Refresh)
  refresh(@Payload() { refreshToken, userAgent, ip }: RefreshSessionDto, @CallDeadline() deadline: Deadline): Promise<RefreshedTokens> {
    return this.sessions.refresh(refreshToken, deadline, { userAgent, ip });
  }

  @IdentityMessage(IdentityPatterns.Revoke)
  revoke(@Payload() { refreshToken }: RefreshTokenDto): Promise<RevokeResult> {
    return this.sessions.revoke(refreshToken);
  }

  @IdentityMessage(IdentityPatterns.ListSessions)
  list(@Payload() { userId, currentSessionId }: ListSessionsDto): Promise<SessionView[]> {
    return this.sessions.list(userId, currentSessionId);
  }

  @IdentityMessage(IdentityPatterns.RevokeSession)
  revokeSession(@Payload() { userId, sessionId }: RevokeSessionDto): Promise<{ revoked: true }> {
    return this.sessions.revokeOwn(userId, sessionId);
  }

  @IdentityMessage(IdentityPatterns.RevokeUserSessions)
  revokeUserSessions(@Payload() { userId, exceptSessionId, credentialsVersion }: RevokeUserSessionsDto): Promise<{ revoked: number }> {
    const except = exceptSessionId === undefined ? undefined : { sessionId: exceptSessionId, credentialsVersion };
    return this.sessions.revokeAll(userId, except);
  }
}
