import { randomUUID } from 'node:crypto';
import { Injectable, Logger } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { AppError } from '#common';
import { ErrorCode, type RefreshedTokens, type TokenPair } from '#contracts';
import { DataSource, IsNull, type EntityManager, type Repository } from 'typeorm';
import { IdentityConfig } from '../identity.config.js';
import { AccessTokenSigner } from './access-token.signer.js';
import { RefreshToken } from './refresh-token.entity.js';
import { hashRefreshToken, newRefreshToken } from './refresh-tokens.js';
import { Session } from './session.entity.js';

type Rotation = { rotated: RefreshedTokens } | { rejected: 'unknown' | 'dead' };

@Injectable()
export class SessionsService {
  private readonly logger = new Logger(SessionsService.name);

  constructor(
    private readonly dataSource: DataSource,
    @InjectRepository(Session) private readonly sessions: Repository<Session>,
    @InjectRepository(RefreshToken) private readonly refreshTokens: Repository<RefreshToken>,
    private readonly signer: AccessTokenSigner,
    private readonly config: IdentityConfig,
  ) {}

  async issue(userId: string): Promise<TokenPair> {
    const sessionId = randomUUID();
    const refreshToken = await this.dataSource.transaction(async (db) => {
      await db.insert(Session, { id: sessionId, userId, revokedAt: null });
      return this.addRefreshToken(db, sessionId);
    });
    return { ...this.signer.sign(userId, sessionId), refreshToken };
  }

  /** Rotation: the presented token is spent; a spent token presented again revokes its session. */
  async refresh(token: string): Promise<RefreshedTokens> {
    const tokenHash = hashRefreshToken(token);
    const outcome = await this.dataSource.transaction((db) => this.rotate(db, tokenHash));
    if ('rotated' in outcome) return outcome.rotated;
    if (outcome.rejected === 'unknown') {
      const spent = await this.refreshTokens.findOneBy({ tokenHash });
      if (spent) {
        await this.revokeSession(spent.sessionId);
        this.logger.warn(`Refresh token reused; session ${spent.sessionId} revoked`);
        throw new AppError(401, ErrorCode.RefreshTokenReused, 'Refresh token already used; the session has been revoked');
      }
    }
    throw new AppError(401, ErrorCode.InvalidRefreshToken, 'Invalid, expired or revoked refresh token');
  }

  /** Logout. Idempotent: an unknown token or a revoked session is not an error. */
  async revoke(token: string): Promise<{ revoked: boolean }> {
    const known = await this.refreshTokens.findOneBy({ tokenHash: hashRefreshToken(token) });
    return { revoked: known ? await this.revokeSession(known.sessionId) : false };
  }

  private async rotate(db: EntityManager, tokenHash: string): Promise<Rotation> {
    // Claiming flips used_at under a row lock: of parallel refreshes of one token, only one claims it.
    const claim = await db
      .createQueryBuilder()
      .update(RefreshToken)
      .set({ usedAt: () => 'now()' })
      .where({ tokenHash, usedAt: IsNull() })
      .returning(['sessionId', 'expiresAt'])
      .execute();
    const claimed = claim.raw[0] as { session_id: string; expires_at: Date } | undefined;
    if (!claimed) return { rejected: 'unknown' };
    const session = await db.findOneBy(Session, { id: claimed.session_id });
    if (!session || session.revokedAt || claimed.expires_at.getTime() <= Date.now()) return { rejected: 'dead' };
    const refreshToken = await this.addRefreshToken(db, session.id);
    return { rotated: { ...this.signer.sign(session.userId, session.id), refreshToken, userId: session.userId } };
  }

  private async addRefreshToken(db: EntityManager, sessionId: string): Promise<string> {
    const { token, hash } = newRefreshToken();
    const expiresAt = new Date(Date.now() + this.config.REFRESH_TOKEN_TTL * 1000);
    await db.insert(RefreshToken, { tokenHash: hash, sessionId, expiresAt, usedAt: null });
    return token;
  }

  private async revokeSession(id: string): Promise<boolean> {
    const result = await this.sessions.update({ id, revokedAt: IsNull() }, { revokedAt: () => 'now()' });
    return (result.affected ?? 0) > 0;
  }
}
