import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The same table and indexes as the user service's migration (apps/user/src/database/migrations). */
export class CreateBaselineUsers1763769600000 implements MigrationInterface {
  name = 'CreateBaselineUsers1763769600000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE users (
        id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        username      varchar(32) NOT NULL,
        email         varchar(254),
        password_hash varchar(60) NOT NULL,
        created_at    timestamptz NOT NULL DEFAULT now(),
        last_login_at timestamptz
      )`);
    await db.query(`CREATE UNIQUE INDEX users_username_lower_key ON users (lower(username))`);
    await db.query(`CREATE UNIQUE INDEX users_email_lower_key ON users (lower(email))`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TABLE users`);
  }
}
