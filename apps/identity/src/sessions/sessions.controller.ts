import { Controller } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import { CallDeadline, Deadline } from '#common';
import { IdentityPatterns, IssueTokensDto, RefreshTokenDto, type RefreshedTokens, type RevokeResult, type TokenPair } from '#contracts';
import { IdentityMessage } from '../identity.handlers.js';
import { SessionsService } from './sessions.service.js';

@Controller()
export class SessionsController {
  constructor(private readonly sessions: SessionsService) {}

  @IdentityMessage(IdentityPatterns.IssueTokens)
  issueTokens(@Payload() { userId }: IssueTokensDto, @CallDeadline() deadline: Deadline): Promise<TokenPair> {
    return this.sessions.issue(userId, deadline);
  }

  @IdentityMessage(IdentityPatterns.Refresh)
  refresh(@Payload() { refreshToken }: RefreshTokenDto, @CallDeadline() deadline: Deadline): Promise<RefreshedTokens> {
    return this.sessions.refresh(refreshToken, deadline);
  }

  @IdentityMessage(IdentityPatterns.Revoke)
  revoke(@Payload() { refreshToken }: RefreshTokenDto): Promise<RevokeResult> {
    return this.sessions.revoke(refreshToken);
  }
}
