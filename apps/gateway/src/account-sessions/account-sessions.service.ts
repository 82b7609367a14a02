import { Injectable } from '@nestjs/common';
import { isUUID } from 'class-validator';
import { AppError } from '#common/errors';
import { ErrorCode } from '#contracts/errors';
import { IdentityPatterns, type AccessClaims, type SessionView } from '#contracts/identity';
import { IdentityClient } from '../rpc/clients.js';
import { UsersService } from '../users/users.service.js';
import type { SessionScope } from './session-scope.dto.js';

/**
 * A signed-in user's view of their own sessions: list them, end one, end the rest or all.
 * Identity knows sessions, not accounts: each route first asks the user service that the
 * token's account still exists, so a deleted account's token gets 401 here as on GET /me.
 */
@Injectable()
export class AccountSessionsService {
  constructor(
    private readonly identity: IdentityClient,
    private readonly users: UsersService,
  ) {}

  async list({ sub, sid }: AccessClaims): Promise<SessionView[]> {
    await this.users.current(sub);
    return this.identity.send(IdentityPatterns.ListSessions, { userId: sub, currentSessionId: sid }, { retry: true });
  }

  async end({ sub }: AccessClaims, sessionId: string): Promise<void> {
    await this.users.current(sub);
    // A malformed id names no session: the same 404 as an unknown one, not a 400 that tells them apart.
    if (!isUUID(sessionId)) throw new AppError(ErrorCode.NotFound, 'No such session');
    await this.identity.send(IdentityPatterns.RevokeSession, { userId: sub, sessionId });
  }

  async endAll({ sub, sid }: AccessClaims, scope: SessionScope): Promise<void> {
    await this.users.current(sub);
    await this.identity.send(IdentityPatterns.RevokeUserSessions, { userId: sub, exceptSessionId: scope === 'others' ? sid : undefined });
  }
}
