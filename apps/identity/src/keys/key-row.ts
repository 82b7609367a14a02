import { PrimaryColumn } from 'typeorm';
import { CreatedAtColumn } from '#common/database';

/** What both key tables hold of a key: the `kid` an access token's header names it by, and when it was made. */
export abstract class KeyRow {
  @PrimaryColumn({ type: 'varchar', length: 64 })
  kid: string;

  @CreatedAtColumn()
  createdAt: Date;
}
