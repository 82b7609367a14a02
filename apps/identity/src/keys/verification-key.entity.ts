import { Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';
import type { JsonWebKey } from 'node:crypto';

/** What is stored of a key: never a private member. */
export type PublicEcJwk = Pick<JsonWebKey, 'kty' | 'crv' | 'x' | 'y'>;

/** A signing key's public half, kept fresh by every replica that signs with it. */
@Entity({ name: 'verification_keys' })
export class VerificationKey {
  @PrimaryColumn({ type: 'varchar', length: 64 })
  kid: string;

  @Column({ name: 'public_jwk', type: 'jsonb' })
  publicJwk: PublicEcJwk;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  /** The last heartbeat of a replica signing with this key. */
  @Column({ name: 'last_active_at', type: 'timestamptz' })
  lastActiveAt: Date;
}
