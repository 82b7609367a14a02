import { Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';

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

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @Column({ name: 'expires_at', type: 'timestamptz' })
  expiresAt: Date;

  @Column({ name: 'used_at', type: 'timestamptz', nullable: true })
  usedAt: Date | null;
}
