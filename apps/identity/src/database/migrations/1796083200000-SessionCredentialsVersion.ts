import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The user's count of password changes when each session began (the user
 * service keeps the count): a refresh from before the latest change is refused.
 * Sessions from before this migration began under the count every account starts with.
 */
export class SessionCredentialsVersion1796083200000 implements MigrationInterface {
  name = 'SessionCredentialsVersion1796083200000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE sessions ADD COLUMN credentials_version integer NOT NULL DEFAULT 0`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE sessions DROP COLUMN credentials_version`);
  }
}
