import { randomBytes } from 'node:crypto';
import { Injectable, type OnModuleInit } from '@nestjs/common';
import { PASSWORD_MAX_BYTES, utf8Length } from '#contracts';
import bcrypt from 'bcrypt';
import pLimit, { type LimitFunction } from 'p-limit';
import { Histogram } from 'prom-client';
import { UserConfig } from '../user.config.js';

const bcryptSeconds = new Histogram({
  name: 'bcrypt_duration_seconds',
  help: 'Time of one bcrypt hash or compare',
  labelNames: ['operation'],
  buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.2, 0.3, 0.5, 1, 2],
});

@Injectable()
export class PasswordHasher implements OnModuleInit {
  /** Compared against when there is no account, so an unknown username costs a real bcrypt compare. */
  private decoyHash: string;
  /**
   * bcrypt runs on libuv's thread pool, which the pg driver needs too (SCRAM
   * authentication of a new pool connection). Hashes may take every thread but
   * one, so a burst of logins cannot queue the database behind them until a
   * connection attempt times out. Raise UV_THREADPOOL_SIZE on machines with
   * more cores than the default 4 threads.
   */
  private readonly slots: LimitFunction;

  constructor(private readonly config: UserConfig) {
    this.slots = pLimit(Math.max(1, config.UV_THREADPOOL_SIZE - 1));
  }

  async onModuleInit(): Promise<void> {
    this.decoyHash = await bcrypt.hash(randomBytes(32).toString('hex'), this.config.BCRYPT_ROUNDS);
  }

  hash(password: string): Promise<string> {
    this.assertFits(password);
    return this.slots(() => timed('hash', bcrypt.hash(password, this.config.BCRYPT_ROUNDS)));
  }

  /**
   * Always does one full compare. A password over 72 bytes never matches:
   * bcrypt would compare only its first 72 bytes.
   */
  async verify(password: string, hash: string | undefined): Promise<boolean> {
    const fits = utf8Length(password) <= PASSWORD_MAX_BYTES;
    const against = hash && fits ? hash : this.decoyHash;
    const matches = await this.slots(() => timed('compare', bcrypt.compare(password, against)));
    return matches && fits && hash !== undefined;
  }

  private assertFits(password: string): void {
    // The DTO already rejects this; the hasher refuses anyway rather than truncate.
    if (utf8Length(password) > PASSWORD_MAX_BYTES) throw new RangeError('password longer than bcrypt accepts');
  }
}

async function timed<T>(operation: 'hash' | 'compare', work: Promise<T>): Promise<T> {
  const stop = bcryptSeconds.startTimer({ operation });
  try {
    return await work;
  } finally {
    stop();
  }
}
