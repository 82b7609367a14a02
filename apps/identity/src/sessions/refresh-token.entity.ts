import { Column, Entity, PrimaryColumn } from 'typeorm';
import { CreatedAtColumn, TimestampColumn } from '#common/database';

/**
 * Every refresh token a session was ever given, by hash only. A used one is
 * kept so that presenting it again is recognised as theft.
 */
@Entity({ name: 'refresh_tokens' })
export class RefreshToken {
  /** SHA-256 of the token, hex. */
  @PrimaryColumn({ name: 'token_hash', type: 'char', length: 64 })
  tokenHash: string;

  @Column({ name: 'session_id', type: 'uuid' })
  sessionId: string;

  @CreatedAtColumn()
  createdAt: Date;

  @TimestampColumn('expires_at')
  expiresAt: Date;

  @TimestampColumn('used_at', { nullable: true })
  usedAt: Date | null;
}
