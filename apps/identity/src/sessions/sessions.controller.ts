import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { IdentityPatterns, IssueTokensDto, RefreshTokenDto, type RefreshedTokens, type TokenPair } from '#contracts';
import { SessionsService } from './sessions.service.js';

@Controller()
export class SessionsController {
  constructor(private readonly sessions: SessionsService) {}

  @MessagePattern(IdentityPatterns.IssueTokens)
  issueTokens(@Payload() { userId }: IssueTokensDto): Promise<TokenPair> {
    return this.sessions.issue(userId);
  }

  @MessagePattern(IdentityPatterns.Refresh)
  refresh(@Payload() { refreshToken }: RefreshTokenDto): Promise<RefreshedTokens> {
    return this.sessions.refresh(refreshToken);
  }

  @MessagePattern(IdentityPatterns.Revoke)
  revoke(@Payload() { refreshToken }: RefreshTokenDto): Promise<{ revoked: boolean }> {
    return this.sessions.revoke(refreshToken);
  }
}
