import { Column, Entity } from 'typeorm';
import { TimestampColumn } from '#common/database';
import type { JsonWebKey } from 'node:crypto';
import { KeyRow } from './key-row.js';

/** What is stored of a key: never a private member. */
export type PublicEcJwk = Pick<JsonWebKey, 'kty' | 'crv' | 'x' | 'y'>;

/** A signing key's public half, kept fresh by every replica that signs with it. */
@Entity({ name: 'verification_keys' })
export class VerificationKey extends KeyRow {
  @Column({ name: 'public_jwk', type: 'jsonb' })
  publicJwk: PublicEcJwk;

  /** The last heartbeat of a replica signing with this key. */
  @TimestampColumn('last_active_at')
  lastActiveAt: Date;
}
