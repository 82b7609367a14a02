import { Injectable } from '@nestjs/common';
import { DataSource, IsNull, type EntityManager } from 'typeorm';
import { driverPool, queryInTime } from '#common/database';
import { RefreshToken } from './refresh-token.entity.js';
import { Session } from './session.entity.js';

// The foreign key from the token to the session is checked at the end of the
// statement, when both rows are in.
const CREATE_SESSION = `
  WITH session AS (INSERT INTO sessions (id, user_id, user_agent, ip, credentials_version) VALUES ($1, $2, $3, $4, $7))
  INSERT INTO refresh_tokens (token_hash, session_id, expires_at) VALUES ($5, $1, $6)`;

// A rotation taken back: the new token goes, unused, and the presented one is unspent again, in one statement.
const UNDO_ROTATION = `
  WITH dropped AS (DELETE FROM refresh_tokens WHERE token_hash = $2 AND used_at IS NULL RETURNING session_id)
  UPDATE refresh_tokens SET used_at = NULL WHERE token_hash = $1 AND session_id IN (SELECT session_id FROM dropped)`;

/** A refresh token about to be stored: only its hash. */
export interface NewRefreshToken {
  hash: string;
  expiresAt: Date;
}

/** The device of a login or refresh, as the gateway reported it. */
export interface SessionClient {
  userAgent?: string;
  ip?: string;
}

/** A session as GET /sessions lists it, before `current` is known. */
export interface ActiveSession {
  id: string;
  createdAt: Date;
  lastUsedAt: Date;
  userAgent: string | null;
  ip: string | null;
}

/** Not revoked, and holding an unspent, unexpired refresh token: a session that can still refresh. */
const ALIVE = `"sessions"."revoked_at" IS NULL AND EXISTS (
  SELECT 1 FROM refresh_tokens t WHERE t.session_id = "sessions"."id" AND t.used_at IS NULL AND t.expires_at > now())`;

/** What presenting a refresh token did: rotated it, or why not. */
export type RotationOutcome =
  | { rotated: { sessionId: string; userId: string; credentialsVersion: number } }
  /** No unused token with that hash: unknown, or already spent. */
  | { rejected: 'unclaimed' }
  /** Claimed, but its session is revoked or the token had expired. */
  | { rejected: 'dead' };

/** Every statement the identity service runs on sessions and refresh tokens. */
@Injectable()
export class SessionsRepository {
  constructor(private readonly dataSource: DataSource) {}

  /**
   * A new session with its first refresh token: one statement, so one round
   * trip and atomic by itself (a transaction around two INSERTs took four).
   * `beforeSend` may still refuse it, once a connection is free.
   */
  async create(
    session: { id: string; userId: string; credentialsVersion: number } & SessionClient,
    token: NewRefreshToken,
    beforeSend: () => void = () => undefined,
  ): Promise<void> {
    const { id, userId, userAgent = null, ip = null, credentialsVersion } = session;
    const values = [id, userId, userAgent, ip, token.hash, token.expiresAt, credentialsVersion];
    await queryInTime(driverPool(this.dataSource), beforeSend, { name: 'create-session', text: CREATE_SESSION, values });
  }

  /**
   * Spends the token with `tokenHash` and stores `next` in its place, in one
   * transaction. Claiming flips used_at under a row lock: of parallel
   * refreshes of one token, only one claims it. The session is marked used
   * now, from `client` where it reported itself.
   */
  rotate(
    tokenHash: string,
    next: NewRefreshToken,
    client: SessionClient = {},
    beforeCommit: () => void = () => undefined,
  ): Promise<RotationOutcome> {
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
      await db.update(Session, { id: session.id }, { lastUsedAt: () => 'now()', ...definedOnly(client) });
      beforeCommit();
      return { rotated: { sessionId: session.id, userId: session.userId, credentialsVersion: session.credentialsVersion } };
    });
  }

  /** Takes back a committed rotation whose caller has given up, so that its retry with `tokenHash` is not taken for theft. */
  async undoRotation(tokenHash: string, nextHash: string): Promise<void> {
    await driverPool(this.dataSource).query(UNDO_ROTATION, [tokenHash, nextHash]);
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

  /** The user's sessions that can still refresh, the most recently used first. */
  async active(userId: string): Promise<ActiveSession[]> {
    return this.dataSource
      .getRepository(Session)
      .createQueryBuilder('sessions')
      .select(['sessions.id', 'sessions.createdAt', 'sessions.lastUsedAt', 'sessions.userAgent', 'sessions.ip'])
      .where('sessions.user_id = :userId', { userId })
      .andWhere(ALIVE)
      .orderBy('sessions.last_used_at', 'DESC')
      .getMany();
  }

  /** True when this user's session was alive and is ended by this call; another user's session is never touched. */
  async revokeOwn(userId: string, sessionId: string): Promise<boolean> {
    const result = await this.dataSource
      .createQueryBuilder()
      .update(Session)
      .set({ revokedAt: () => 'now()' })
      .where('id = :sessionId AND user_id = :userId', { sessionId, userId })
      .andWhere(ALIVE)
      .execute();
    return (result.affected ?? 0) > 0;
  }

  /** The session in which the password was changed continues under the new count. */
  async keepUnder(userId: string, sessionId: string, credentialsVersion: number): Promise<void> {
    await this.dataSource.getRepository(Session).update({ id: sessionId, userId, revokedAt: IsNull() }, { credentialsVersion });
  }

  /** Ends every live session of the user but `exceptSessionId`; answers how many. */
  async revokeAllOf(userId: string, exceptSessionId?: string): Promise<number> {
    const query = this.dataSource
      .createQueryBuilder()
      .update(Session)
      .set({ revokedAt: () => 'now()' })
      .where('user_id = :userId AND revoked_at IS NULL', { userId });
    if (exceptSessionId) query.andWhere('id <> :exceptSessionId', { exceptSessionId });
    return (await query.execute()).affected ?? 0;
  }
}

/** A refresh without a user agent (another caller than the gateway) keeps the one last seen. */
function definedOnly(client: SessionClient): SessionClient {
  return Object.fromEntries(Object.entries(client).filter(([, value]) => value !== undefined));
}

async function insertToken(db: EntityManager, sessionId: string, token: NewRefreshToken): Promise<void> {
  await db.insert(RefreshToken, { tokenHash: token.hash, sessionId, expiresAt: token.expiresAt, usedAt: null });
}
