import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The public half of every key a replica has signed with lately, so that
 * after a key change the old key is still published while its tokens live.
 */
export class VerificationKeys1764547200001 implements MigrationInterface {
  name = 'VerificationKeys1764547200001';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE verification_keys (
        kid            varchar(64) PRIMARY KEY,
        public_jwk     jsonb NOT NULL,
        created_at     timestamptz NOT NULL DEFAULT now(),
        last_active_at timestamptz NOT NULL DEFAULT now()
      )`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TABLE verification_keys`);
  }
}
