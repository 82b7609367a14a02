import { randomBytes } from 'node:crypto';
import { Injectable, type OnModuleInit } from '@nestjs/common';
import { PASSWORD_MAX_BYTES, utf8Length } from '#contracts';
import bcrypt from 'bcrypt';
import { UserConfig } from '../user.config.js';

@Injectable()
export class PasswordHasher implements OnModuleInit {
  /** Compared against when there is no account, so an unknown username costs a real bcrypt compare. */
  private decoyHash: string;

  constructor(private readonly config: UserConfig) {}

  async onModuleInit(): Promise<void> {
    this.decoyHash = await bcrypt.hash(randomBytes(32).toString('hex'), this.config.BCRYPT_ROUNDS);
  }

  hash(password: string): Promise<string> {
    this.assertFits(password);
    return bcrypt.hash(password, this.config.BCRYPT_ROUNDS);
  }

  /**
   * Always does one full compare. A password over 72 bytes never matches:
   * bcrypt would compare only its first 72 bytes.
   */
  async verify(password: string, hash: string | undefined): Promise<boolean> {
    const fits = utf8Length(password) <= PASSWORD_MAX_BYTES;
    const matches = await bcrypt.compare(password, hash && fits ? hash : this.decoyHash);
    return matches && fits && hash !== undefined;
  }

  private assertFits(password: string): void {
    // The DTO already rejects this; the hasher refuses anyway rather than truncate.
    if (utf8Length(password) > PASSWORD_MAX_BYTES) throw new RangeError('password longer than bcrypt accepts');
  }
}
