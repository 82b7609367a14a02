import { Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import { ACCESS_TOKEN_ALGORITHM, type PublicKeySet } from '#contracts/identity';
import { IdentityConfig } from '../identity.config.js';
import type { PublicEcJwk } from './verification-key.entity.js';
import { VerificationKeysRepository } from './verification-keys.repository.js';

/** How often a running replica records that it still signs with its key. */
export const HEARTBEAT_MS = 60_000;
/** A stalled database must not stall token verification: past this, the set last read is answered. */
export const RELOAD_TIMEOUT_MS = 1_000;

/**
 * The keys `identity.public_keys` answers: this replica's own, and every key
 * another replica (or an earlier run, before a key change) signed with
 * recently enough that a token it made may still be unexpired: within
 * ACCESS_TOKEN_TTL of its last heartbeat, plus a heartbeat's slack.
 */
@Injectable()
export class PublishedKeys implements OnModuleDestroy {
  private readonly logger = new Logger(PublishedKeys.name);
  private own: { kid: string; publicJwk: PublicEcJwk };
  private published: PublicKeySet;
  private heartbeat?: NodeJS.Timeout;

  constructor(
    private readonly keys: VerificationKeysRepository,
    private readonly config: IdentityConfig,
  ) {}

  /** This replica signs with `kid` from now on. */
  async start(kid: string, publicJwk: PublicEcJwk): Promise<void> {
    this.own = { kid, publicJwk };
    this.published = { keys: [verificationJwk(this.own)] };
    await this.keys.markActive(kid, publicJwk);
    await this.reload();
    this.heartbeat = setInterval(() => void this.beat(), HEARTBEAT_MS).unref();
  }

  /** Read afresh: a replica that changed key may have started since. The last set read, if the database does not answer. */
  async current(): Promise<PublicKeySet> {
    let timer: NodeJS.Timeout | undefined;
    const stalled = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer within ${RELOAD_TIMEOUT_MS} ms`)), RELOAD_TIMEOUT_MS);
    });
    try {
      await Promise.race([this.reload(), stalled]);
    } catch (error) {
      this.logger.warn(`Publishing the verification keys last read: ${(error as Error).message}`);
    } finally {
      clearTimeout(timer);
    }
    return this.published;
  }

  onModuleDestroy(): void {
    clearInterval(this.heartbeat);
  }

  private async beat(): Promise<void> {
    try {
      await this.keys.markActive(this.own.kid, this.own.publicJwk);
    } catch (error) {
      this.logger.warn(`Could not record that key ${this.own.kid} is in use: ${(error as Error).message}`);
    }
  }

  private async reload(): Promise<void> {
    const recent = await this.keys.activeWithin(this.config.ACCESS_TOKEN_TTL + (2 * HEARTBEAT_MS) / 1000);
    const others = recent.filter((key) => key.kid !== this.own.kid);
    this.published = { keys: [this.own, ...others].map(verificationJwk) };
  }
}

/** Only the public members, whatever is stored. */
function verificationJwk({ kid, publicJwk: { kty, crv, x, y } }: { kid: string; publicJwk: PublicEcJwk }): PublicKeySet['keys'][number] {
  return { kty, crv, x, y, kid, alg: ACCESS_TOKEN_ALGORITHM, use: 'sig' };
}
