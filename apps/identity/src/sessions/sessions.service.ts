import { randomUUID } from 'node:crypto';
import { Injectable, Logger } from '@nestjs/common';
import { AppError, violatedUniqueConstraint } from '#common/errors';
import { Admission, Deadline } from '#common/overload';
import { POOL_SIZE } from '#common/database';
import { ErrorCode } from '#contracts/errors';
import type { RefreshedTokens, RevokeResult, SessionView, TokenPair } from '#contracts/identity';
import { IdentityConfig } from '../identity.config.js';
import { AccessTokenSigner } from './access-token.signer.js';
import { hashRefreshToken, newRefreshToken } from './refresh-tokens.js';
import { SessionsRepository, type NewRefreshToken, type SessionClient } from './sessions.repository.js';

/** Whose session it is, and the user's count of password changes it begins under. */
export interface SessionOwnerRef {
  userId: string;
  credentialsVersion: number;
}

/** PostgreSQL's name for the sessions' primary key: the id a caller may choose (`identity.issue_tokens`). */
const SESSION_PRIMARY_KEY = 'sessions_pkey';

/** A first guess of one session write's time, until measurements replace it. */
const INITIAL_WRITE_MS = 5;
/** Signing and the reply's trip back, after the write. */
const AFTER_WRITE_MS = 20;

@Injectable()
export class SessionsService {
  private readonly logger = new Logger(SessionsService.name);
  /** Session writes queue for the database pool; a burst beyond what it can finish in time is refused at once. */
  private readonly admission = new Admission('session writes', POOL_SIZE, INITIAL_WRITE_MS, AFTER_WRITE_MS);

  constructor(
    private readonly sessions: SessionsRepository,
    private readonly signer: AccessTokenSigner,
    private readonly config: IdentityConfig,
  ) {}

  /** A new session, under `sessionId` when the caller chose it (so that it can end a session whose reply it never got). */
  async issue(
    owner: SessionOwnerRef,
    deadline = Deadline.none,
    client: SessionClient = {},
    sessionId: string = randomUUID(),
  ): Promise<TokenPair> {
    const { userId } = owner;
    const { token, stored } = this.newToken();
    const inTime = () => deadline.assertNotPassed('The new session');
    await this.admission
      .run(deadline, () => this.sessions.create({ id: sessionId, ...owner, ...client }, stored, inTime))
      .catch((error: unknown) => {
        throw violatedUniqueConstraint(error) === SESSION_PRIMARY_KEY
          ? new AppError(ErrorCode.ValidationFailed, 'sessionId is already in use')
          : error;
      });
    await deadline.undoIfPassed('The new session', () => this.sessions.revoke(sessionId), this.logger);
    return { ...this.signer.sign(userId, sessionId), refreshToken: token };
  }

  /** Rotation: the presented token is spent; a spent token presented again revokes its session. */
  async refresh(presented: string, deadline = Deadline.none, client: SessionClient = {}): Promise<RefreshedTokens> {
    const tokenHash = hashRefreshToken(presented);
    const { token, stored } = this.newToken();
    // Past the deadline the rotation is undone: the presented token stays unspent for the client's retry.
    const inTime = () => deadline.assertNotPassed('The refresh');
    const outcome = await this.admission.run(deadline, () => this.sessions.rotate(tokenHash, stored, client, inTime));
    if ('rotated' in outcome) {
      // Taken back if late, or the client's retry would end its session as theft.
      await deadline.undoIfPassed('The refresh', () => this.sessions.undoRotation(tokenHash, stored.hash), this.logger);
      const { userId, sessionId, credentialsVersion } = outcome.rotated;
      return { ...this.signer.sign(userId, sessionId), refreshToken: token, userId, credentialsVersion };
    }
    if (outcome.rejected === 'unclaimed') {
      const spentIn = await this.sessions.sessionOfToken(tokenHash);
      if (spentIn) {
        await this.sessions.revoke(spentIn);
        this.logger.warn(`Refresh token reused; session ${spentIn} revoked`);
        throw new AppError(ErrorCode.RefreshTokenReused, 'Refresh token already used; the session has been revoked');
      }
    }
    throw new AppError(ErrorCode.InvalidRefreshToken, 'Invalid, expired or revoked refresh token');
  }

  /** Logout. Idempotent: an unknown token or a revoked session is not an error. */
  async revoke(presented: string): Promise<RevokeResult> {
    const sessionId = await this.sessions.sessionOfToken(hashRefreshToken(presented));
    return { revoked: sessionId ? await this.sessions.revoke(sessionId) : false };
  }

  /** The user's sessions that can still refresh; `current` marks the one that asked. */
  async list(userId: string, currentSessionId: string): Promise<SessionView[]> {
    const sessions = await this.sessions.active(userId);
    return sessions.map(({ id, createdAt, lastUsedAt, userAgent, ip }) => ({
      id,
      createdAt: createdAt.toISOString(),
      lastUsedAt: lastUsedAt.toISOString(),
      userAgent,
      ip,
      current: id === currentSessionId,
    }));
  }

  /**
   * Ends one of the user's own sessions. Unknown, already ended and another
   * user's answer the same 404, so that session ids cannot be probed.
   */
  async revokeOwn(userId: string, sessionId: string): Promise<{ revoked: true }> {
    if (!(await this.sessions.revokeOwn(userId, sessionId))) throw new AppError(ErrorCode.NotFound, 'No such session');
    return { revoked: true };
  }

  /** Signs the user out everywhere, or everywhere but `exceptSessionId`. */
  /** With `except`, that session is kept, under the password change's count when there was one. */
  async revokeAll(userId: string, except?: { sessionId: string; credentialsVersion?: number }): Promise<{ revoked: number }> {
    if (except?.credentialsVersion !== undefined) await this.sessions.keepUnder(userId, except.sessionId, except.credentialsVersion);
    const revoked = await this.sessions.revokeAllOf(userId, except?.sessionId);
    if (revoked > 0) this.logger.log(`${revoked} session(s) of user ${userId} revoked`);
    return { revoked };
  }

  private newToken(): { token: string; stored: NewRefreshToken } {
    const { token, hash } = newRefreshToken();
    return { token, stored: { hash, expiresAt: new Date(Date.now() + this.config.REFRESH_TOKEN_TTL * 1000) } };
  }
}
