import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { MailKind } from '#contracts/mail';
import type { DataSource, EntityManager } from 'typeorm';

export interface NewMail {
  userId: string;
  kind: MailKind;
  recipient: string;
  username: string;
  token: string;
  expiresAt: Date;
}

export interface PendingMail extends NewMail {
  id: string;
  attempts: number;
}

interface PendingRow {
  id: string;
  user_id: string;
  kind: MailKind;
  recipient: string;
  username: string;
  token: string;
  expires_at: Date;
  attempts: number;
}

/** The mail outbox: rows written with the change that causes them, delivered by the relay. */
@Injectable()
export class OutboxRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  /**
   * Written leased to its writer for `leaseMs`, as a claim would lease it: the
   * writer sends it once committed, and a poll takes it only if that lease runs out.
   */
  async enqueue(db: EntityManager, mail: NewMail, leaseMs: number): Promise<PendingMail> {
    const rows: { id: string }[] = await db.query(
      `INSERT INTO mail_outbox (user_id, kind, recipient, username, token, expires_at, next_attempt_at)
       VALUES ($1, $2, $3, $4, $5, $6, now() + make_interval(secs => $7 / 1000.0)) RETURNING id`,
      [mail.userId, mail.kind, mail.recipient, mail.username, mail.token, mail.expiresAt, leaseMs],
    );
    return { ...mail, id: rows[0].id, attempts: 0 };
  }

  /**
   * Takes up to `limit` due mails and leases them for `leaseMs`, so other
   * replicas' relays skip them meanwhile (SKIP LOCKED: no two relays wait on each other).
   */
  async claimDue(limit: number, leaseMs: number): Promise<PendingMail[]> {
    const [rows]: [PendingRow[], number] = await this.db.query(
      `UPDATE mail_outbox SET next_attempt_at = now() + make_interval(secs => $2 / 1000.0)
        WHERE id IN (SELECT id FROM mail_outbox
                      WHERE sent_at IS NULL AND token IS NOT NULL AND next_attempt_at <= now()
                      ORDER BY next_attempt_at LIMIT $1 FOR UPDATE SKIP LOCKED)
        RETURNING id, user_id, kind, recipient, username, token, expires_at, attempts`,
      [limit, leaseMs],
    );
    return rows.map((row) => ({
      id: row.id,
      userId: row.user_id,
      kind: row.kind,
      recipient: row.recipient,
      username: row.username,
      token: row.token,
      expiresAt: row.expires_at,
      attempts: row.attempts,
    }));
  }

  /** Delivered: the raw token is forgotten. */
  async markSent(id: string): Promise<void> {
    await this.db.query(`UPDATE mail_outbox SET sent_at = now(), token = NULL, attempts = attempts + 1 WHERE id = $1`, [id]);
  }

  async markFailed(id: string, retryInMs: number, error: string): Promise<void> {
    await this.db.query(
      `UPDATE mail_outbox SET attempts = attempts + 1, last_error = $3,
              next_attempt_at = now() + make_interval(secs => $2 / 1000.0)
        WHERE id = $1`,
      [id, retryInMs, error.slice(0, 64)],
    );
  }

  /** Its link has expired: sending it would only confuse. The token is forgotten, the row kept for the record. */
  async abandon(id: string): Promise<void> {
    await this.db.query(`UPDATE mail_outbox SET token = NULL, last_error = 'EXPIRED' WHERE id = $1`, [id]);
  }

  /** Its link was revoked before it went out. A mail already in the hands of the mail service may still arrive, with a dead link. */
  async dropUnsent(db: EntityManager, userId: string, kinds: MailKind[]): Promise<void> {
    await db.query(
      `UPDATE mail_outbox SET token = NULL, last_error = 'REVOKED' WHERE user_id = $1 AND kind = ANY($2) AND sent_at IS NULL AND token IS NOT NULL`,
      [userId, kinds],
    );
  }

  async pendingCount(): Promise<number> {
    const rows: { count: string }[] = await this.db.query(`SELECT count(*) FROM mail_outbox WHERE sent_at IS NULL AND token IS NOT NULL`);
    return Number(rows[0].count);
  }
}
