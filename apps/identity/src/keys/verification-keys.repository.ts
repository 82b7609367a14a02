import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { VerificationKey, type PublicEcJwk } from './verification-key.entity.js';

/** Every statement on verification_keys. */
@Injectable()
export class VerificationKeysRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** This replica signs with `kid` now. */
  async markActive(kid: string, publicJwk: PublicEcJwk): Promise<void> {
    await this.dataSource
      .createQueryBuilder()
      .insert()
      .into(VerificationKey)
      // Only the public members are written, whatever the caller passed.
      .values({ kid, publicJwk: { kty: publicJwk.kty, crv: publicJwk.crv, x: publicJwk.x, y: publicJwk.y }, lastActiveAt: () => 'now()' })
      .orUpdate(['last_active_at'], ['kid'])
      .execute();
  }

  /** Keys some replica signed with in the last `seconds`, by the database's clock. */
  async activeWithin(seconds: number): Promise<Array<{ kid: string; publicJwk: PublicEcJwk }>> {
    return this.dataSource
      .getRepository(VerificationKey)
      .createQueryBuilder('key')
      .select(['key.kid', 'key.publicJwk'])
      .where('key.last_active_at > now() - make_interval(secs => :seconds)', { seconds })
      .orderBy('key.last_active_at', 'DESC')
      .getMany();
  }
}
