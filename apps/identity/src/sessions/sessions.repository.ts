import { Injectable } from '@nestjs/common';
import { DataSource, IsNull, type EntityManager } from 'typeorm';
import { RefreshToken } from './refresh-token.entity.js';
import { Session } from './session.entity.js';

/** A refresh token about to be stored: only its hash. */
export interface NewRefreshToken {
  hash: string;
  expiresAt: Date;
}

/** What presenting a refresh token did: rotated it, or why not. */
export type RotationOutcome =
  | { rotated: { sessionId: string; userId: string } }
  /** No unused token with that hash: unknown, or already spent. */
  | { rejected: 'unclaimed' }
  /** Claimed, but its session is revoked or the token had expired. */
  | { rejected: 'dead' };

/** Every statement the identity service runs on sessions and refresh tokens. */
@Injectable()
export class SessionsRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** A new session with its first refresh token, in one transaction; `beforeCommit` may still refuse it. */
  async create(session: { id: string; userId: string }, token: NewRefreshToken, beforeCommit: () => void = () => undefined): Promise<void> {
    await this.dataSource.transaction(async (db) => {
      await db.insert(Session, { ...session, revokedAt: null });
      await insertToken(db, session.id, token);
      beforeCommit();
    });
  }

  /**
   * Spends the token with `tokenHash` and stores `next` in its place, in one
   * transaction. Claiming flips used_at under a row lock: of parallel
   * refreshes of one token, only one claims it.
   */
  rotate(tokenHash: string, next: NewRefreshToken, beforeCommit: () => void = () => undefined): Promise<RotationOutcome> {
    return this.dataSource.transaction(async (db) => {
      const claim = await db
        .createQueryBuilder()
        .update(RefreshToken)
        .set({ usedAt: () => 'now()' })
        .where({ tokenHash, usedAt: IsNull() })
        .returning(['sessionId', 'expiresAt'])
        .execute();
      const claimed = claim.raw[0] as { session_id: string; expires_at: Date } | undefined;
      if (!claimed) return { rejected: 'unclaimed' };
      const session = await db.findOneBy(Session, { id: claimed.session_id });
      if (!session || session.revokedAt || claimed.expires_at.getTime() <= Date.now()) return { rejected: 'dead' };
      await insertToken(db, session.id, next);
      beforeCommit();
      return { rotated: { sessionId: session.id, userId: session.userId } };
    });
  }

  /** The session a token belongs to, used or not. */
  async sessionOfToken(tokenHash: string): Promise<string | undefined> {
    const token = await this.dataSource.getRepository(RefreshToken).findOneBy({ tokenHash });
    return token?.sessionId;
  }

  /** True when a live session was revoked by this call. */
  async revoke(sessionId: string): Promise<boolean> {
    const result = await this.dataSource
      .getRepository(Session)
      .update({ id: sessionId, revokedAt: IsNull() }, { revokedAt: () => 'now()' });
    return (result.affected ?? 0) > 0;
  }
}

async function insertToken(db: EntityManager, sessionId: string, token: NewRefreshToken): Promise<void> {
  await db.insert(RefreshToken, { tokenHash: token.hash, sessionId, expiresAt: token.expiresAt, usedAt: null });
}
