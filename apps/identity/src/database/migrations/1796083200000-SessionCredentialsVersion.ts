import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The user's count of password changes when each session began (the user
 * service keeps the count): a refresh from before the latest change is refused.
 * Sessions from before this migration began under the count every account starts with.
 * Also an index for the purge of revoked sessions.
 */
export class SessionCredentialsVersion1796083200000 implements MigrationInterface {
  name = 'SessionCredentialsVersion1796083200000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE sessions ADD COLUMN credentials_version integer NOT NULL DEFAULT 0`);
    // For the purge of revoked sessions (identityPurgeRules); only revoked rows are in it.
    await db.query(`CREATE INDEX sessions_revoked_at_idx ON sessions (revoked_at) WHERE revoked_at IS NOT NULL`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP INDEX sessions_revoked_at_idx`);
    await db.query(`ALTER TABLE sessions DROP COLUMN credentials_version`);
  }
}
