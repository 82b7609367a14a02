import type { MigrationInterface, QueryRunner } from 'typeorm';

/** What a user needs to recognise a session in GET /sessions: when it was last used, and from which device. */
export class SessionDevices1764547200000 implements MigrationInterface {
  name = 'SessionDevices1764547200000';

  async up(db: QueryRunner): Promise<void> {
    // Sessions from before this migration were last used at the latest when their newest token was made.
    await db.query(`
      ALTER TABLE sessions
        ADD COLUMN last_used_at timestamptz NOT NULL DEFAULT now(),
        ADD COLUMN user_agent   varchar(256),
        ADD COLUMN ip           varchar(45)`);
    await db.query(`
      UPDATE sessions s SET last_used_at = coalesce(
        (SELECT max(t.created_at) FROM refresh_tokens t WHERE t.session_id = s.id), s.created_at)`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE sessions DROP COLUMN ip, DROP COLUMN user_agent, DROP COLUMN last_used_at`);
  }
}
