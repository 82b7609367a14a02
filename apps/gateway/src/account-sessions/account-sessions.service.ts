import { Injectable } from '@nestjs/common';
import { isUUID } from 'class-validator';
import { AppError } from '#common';
import { ErrorCode, IdentityPatterns, type AccessClaims, type SessionView } from '#contracts';
import { IdentityClient } from '../rpc/clients.js';
import type { SessionScope } from './session-scope.dto.js';

/** A signed-in user's view of their own sessions: list them, end one, end the rest or all. */
@Injectable()
export class AccountSessionsService {
  constructor(private readonly identity: IdentityClient) {}

  list({ sub, sid }: AccessClaims): Promise<SessionView[]> {
    return this.identity.send(IdentityPatterns.ListSessions, { userId: sub, currentSessionId: sid }, { retry: true });
  }

  async end({ sub }: AccessClaims, sessionId: string): Promise<void> {
    // A malformed id names no session: the same 404 as an unknown one, not a 400 that tells them apart.
    if (!isUUID(sessionId)) throw new AppError(ErrorCode.NotFound, 'No such session');
    await this.identity.send(IdentityPatterns.RevokeSession, { userId: sub, sessionId });
  }

  async endAll({ sub, sid }: AccessClaims, scope: SessionScope): Promise<void> {
    await this.identity.send(IdentityPatterns.RevokeUserSessions, { userId: sub, exceptSessionId: scope === 'others' ? sid : undefined });
  }
}
