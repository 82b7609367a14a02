import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Email verification, password reset tokens and the mail outbox. */
export class AccountLifecycle1764547200000 implements MigrationInterface {
  name = 'AccountLifecycle1764547200000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE users ADD COLUMN email_verified_at timestamptz`);
    // Only a hash of each token is kept: a copy of the database cannot verify or reset anything.
    await db.query(`
      CREATE TABLE account_tokens (
        id         uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        user_id    uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
        purpose    varchar(32) NOT NULL,
        token_hash char(64) NOT NULL UNIQUE,
        email      varchar(254),
        expires_at timestamptz NOT NULL,
        used_at    timestamptz,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await db.query(`CREATE INDEX account_tokens_user_idx ON account_tokens (user_id)`);
    // Written in the same transaction as the change that causes the mail; the relay
    // delivers it and then forgets the raw token.
    await db.query(`
      CREATE TABLE mail_outbox (
        id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        user_id         uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
        kind            varchar(32) NOT NULL,
        recipient       varchar(254) NOT NULL,
        username        varchar(32) NOT NULL,
        token           varchar(128),
        expires_at      timestamptz NOT NULL,
        attempts        integer NOT NULL DEFAULT 0,
        next_attempt_at timestamptz NOT NULL DEFAULT now(),
        last_error      varchar(64),
        sent_at         timestamptz,
        created_at      timestamptz NOT NULL DEFAULT now()
      )`);
    await db.query(`CREATE INDEX mail_outbox_due_idx ON mail_outbox (next_attempt_at) WHERE sent_at IS NULL`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TABLE mail_outbox`);
    await db.query(`DROP TABLE account_tokens`);
    await db.query(`ALTER TABLE users DROP COLUMN email_verified_at`);
  }
}
