import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A count of the account's password changes: identity keeps the count each
 * session began with, and a session from before the latest change can no
 * longer refresh, even if the revocation sent with the change never arrived.
 * Also: the relay's index leaves out mails dropped undelivered (no token),
 * and the purge finds what it deletes by index, not by reading every row.
 */
export class CredentialsVersion1796083200000 implements MigrationInterface {
  name = 'CredentialsVersion1796083200000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE users ADD COLUMN credentials_version integer NOT NULL DEFAULT 0`);
    await db.query(`DROP INDEX mail_outbox_due_idx`);
    await db.query(`CREATE INDEX mail_outbox_due_idx ON mail_outbox (next_attempt_at) WHERE sent_at IS NULL AND token IS NOT NULL`);
    // The expressions and predicate of USER_PURGE_RULES, so that a purge reads only the rows it deletes.
    await db.query(`CREATE INDEX account_tokens_done_idx ON account_tokens ((coalesce(used_at, expires_at)))`);
    await db.query(
      `CREATE INDEX mail_outbox_done_idx ON mail_outbox ((coalesce(sent_at, expires_at))) WHERE sent_at IS NOT NULL OR token IS NULL`,
    );
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP INDEX mail_outbox_done_idx`);
    await db.query(`DROP INDEX account_tokens_done_idx`);
    await db.query(`DROP INDEX mail_outbox_due_idx`);
    await db.query(`CREATE INDEX mail_outbox_due_idx ON mail_outbox (next_attempt_at) WHERE sent_at IS NULL`);
    await db.query(`ALTER TABLE users DROP COLUMN credentials_version`);
  }
}
