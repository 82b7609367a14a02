import { randomBytes } from 'node:crypto';
import { Injectable, type OnModuleInit } from '@nestjs/common';
import { Admission, type Deadline } from '#common/overload';
import { PASSWORD_MAX_BYTES, utf8Length } from '#contracts/validation';
import bcrypt from 'bcrypt';
import { Histogram } from 'prom-client';
import { UserConfig } from '../user.config.js';

const bcryptSeconds = new Histogram({
  name: 'bcrypt_duration_seconds',
  help: 'Time of one bcrypt hash or compare',
  labelNames: ['operation'],
  buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.2, 0.3, 0.5, 1, 2],
});

/**
 * Time a caller still needs after the hash: the INSERT (or the credential
 * check) and the reply's trip back, so a hash that just makes it is still useful.
 */
const AFTER_HASH_MS = 100;

@Injectable()
export class PasswordHasher implements OnModuleInit {
  /** Compared against when there is no account, so an unknown username costs a real bcrypt compare. */
  private decoyHash: string;
  /**
   * bcrypt runs on libuv's thread pool, which the pg driver needs too (SCRAM
   * authentication of a new pool connection). Hashes may take every thread but
   * one, so a burst of logins cannot queue the database behind them until a
   * connection attempt times out. In front of that pool, admission control
   * refuses at once what could not finish before its caller's deadline.
   */
  private readonly admission: Admission;

  constructor(private readonly config: UserConfig) {
    this.admission = new Admission('password hashing', Math.max(1, config.UV_THREADPOOL_SIZE - 1), 0, AFTER_HASH_MS);
  }

  /**
   * The decoy hash, and a first measure of a hash's time with every slot busy,
   * as under load (the cost factor, the cores and the thread pool all show in it).
   */
  async onModuleInit(): Promise<void> {
    const secret = randomBytes(32).toString('hex');
    const warmups = Array.from({ length: this.admission.concurrency }, async () => {
      const started = performance.now();
      const hash = await bcrypt.hash(secret, this.config.BCRYPT_ROUNDS);
      this.admission.record(performance.now() - started, true);
      return hash;
    });
    [this.decoyHash] = await Promise.all(warmups);
  }

  hash(password: string, deadline: Deadline): Promise<string> {
    this.assertFits(password);
    return this.run('hash', deadline, () => bcrypt.hash(password, this.config.BCRYPT_ROUNDS));
  }

  /**
   * Always does one full compare. A password over 72 bytes never matches:
   * bcrypt would compare only its first 72 bytes.
   */
  async verify(password: string, hash: string | undefined, deadline: Deadline): Promise<boolean> {
    const fits = utf8Length(password) <= PASSWORD_MAX_BYTES;
    const against = hash && fits ? hash : this.decoyHash;
    const matches = await this.run('compare', deadline, () => bcrypt.compare(password, against));
    return matches && fits && hash !== undefined;
  }

  /** Refuses at once, as `hash` and `verify` would, a caller that could not be hashed for in time: before its lookup. */
  assertAdmissible(deadline: Deadline): void {
    this.admission.assertAdmissible(deadline);
  }

  /** A hash made at another cost than BCRYPT_ROUNDS (set before it was changed) is due to be made anew. */
  isOutdated(hash: string): boolean {
    return bcrypt.getRounds(hash) !== this.config.BCRYPT_ROUNDS;
  }

  /** Whether a hash would start at once, queued behind no one: the only time optional work may take a slot. */
  hasIdleSlot(): boolean {
    const { pending, concurrency } = this.admission.snapshot();
    return pending < concurrency;
  }

  private run<T>(operation: 'hash' | 'compare', deadline: Deadline, work: () => Promise<T>): Promise<T> {
    return this.admission.run(deadline, () => timed(operation, work()));
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
