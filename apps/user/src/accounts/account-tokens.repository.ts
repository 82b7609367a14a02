import { createHash, randomBytes } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';

export type TokenPurpose = 'email_verification' | 'password_reset';

export interface IssuedToken {
  /** The raw token: it goes into the outbox and the mail, never into this table. */
  token: string;
  expiresAt: Date;
}

export interface ClaimedToken {
  userId: string;
  /** For a verification token: the address it proves. */
  email: string | null;
}

export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/** 256 random bits for a link, and the hash that is all the database keeps of them. */
export function newToken(): { token: string; tokenHash: string } {
  const token = randomBytes(32).toString('base64url');
  return { token, tokenHash: hashToken(token) };
}

/** Single-use, expiring tokens sent by mail; stored only as SHA-256 hashes (256 random bits need no slow hash). */
@Injectable()
export class AccountTokensRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  async issue(db: EntityManager, userId: string, purpose: TokenPurpose, email: string | null, ttlSeconds: number): Promise<IssuedToken> {
    const { token, tokenHash } = newToken();
    const rows: { expires_at: Date }[] = await db.query(
      `INSERT INTO account_tokens (user_id, purpose, token_hash, email, expires_at)
       VALUES ($1, $2, $3, $4, now() + make_interval(secs => $5)) RETURNING expires_at`,
      [userId, purpose, tokenHash, email, ttlSeconds],
    );
    return { token, expiresAt: rows[0].expires_at };
  }

  /** Whose account a still-claimable token is for: lets a request fail before any costly work. */
  async liveUserId(purpose: TokenPurpose, token: string): Promise<string | undefined> {
    const rows: { user_id: string }[] = await this.db.query(
      `SELECT user_id FROM account_tokens WHERE token_hash = $1 AND purpose = $2 AND used_at IS NULL AND expires_at > now()`,
      [hashToken(token), purpose],
    );
    return rows[0]?.user_id;
  }

  /** One conditional UPDATE: of concurrent claims of one token, exactly one gets a row. */
  async claim(db: EntityManager, purpose: TokenPurpose, token: string): Promise<ClaimedToken | undefined> {
    const [rows]: [{ user_id: string; email: string | null }[], number] = await db.query(
      `UPDATE account_tokens SET used_at = now()
        WHERE token_hash = $1 AND purpose = $2 AND used_at IS NULL AND expires_at > now()
        RETURNING user_id, email`,
      [hashToken(token), purpose],
    );
    return rows[0] && { userId: rows[0].user_id, email: rows[0].email };
  }

  /** After a reset or an email change, older links of that purpose stop working. */
  async revokeOutstanding(db: EntityManager, userId: string, purposes: TokenPurpose[]): Promise<void> {
    await db.query(`UPDATE account_tokens SET used_at = now() WHERE user_id = $1 AND purpose = ANY($2) AND used_at IS NULL`, [
      userId,
      purposes,
    ]);
  }
}
