import { Column, Entity } from 'typeorm';
import { KeyRow } from './key-row.js';

/** A development signing key, generated on first start (production keys come from a file). */
@Entity({ name: 'signing_keys' })
export class SigningKey extends KeyRow {
  /** PKCS#8 PEM. */
  @Column({ name: 'private_key', type: 'text' })
  privateKey: string;
}
