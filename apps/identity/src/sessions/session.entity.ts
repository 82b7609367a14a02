import { Column, Entity, PrimaryColumn } from 'typeorm';
import { CreatedAtColumn, TimestampColumn } from '#common/database';

/** One login: it lives through every rotation of its refresh token until revoked. */
@Entity({ name: 'sessions' })
export class Session {
  @PrimaryColumn({ type: 'uuid' })
  id: string;

  @Column({ name: 'user_id', type: 'uuid' })
  userId: string;

  @CreatedAtColumn()
  createdAt: Date;

  @TimestampColumn('revoked_at', { nullable: true })
  revokedAt: Date | null;

  /** The login, then every refresh. */
  @TimestampColumn('last_used_at', { default: () => 'now()' })
  lastUsedAt: Date;

  /** As last seen: at login, then at each refresh that reported one. */
  @Column({ name: 'user_agent', type: 'varchar', length: 256, nullable: true })
  userAgent: string | null;

  @Column({ type: 'varchar', length: 45, nullable: true })
  ip: string | null;

  /** The user's count of password changes when the session began (or when its own change was made). */
  @Column({ name: 'credentials_version', type: 'integer', default: 0 })
  credentialsVersion: number;
}
