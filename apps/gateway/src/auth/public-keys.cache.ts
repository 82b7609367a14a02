import { createPublicKey, type KeyObject } from 'node:crypto';
import { Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { ACCESS_TOKEN_ALGORITHM, IdentityPatterns, type PublicKeySet } from '#contracts/identity';
import { IdentityClient } from '../rpc/clients.js';

/** A token with an unknown `kid` may trigger a re-fetch, but not more often than this. */
const MIN_REFETCH_INTERVAL_MS = 5_000;
/**
 * How old a key set GET /.well-known/jwks.json may serve before asking identity
 * again, and how often the key set is refreshed anyway, so that a key identity
 * has retired stops verifying tokens within this time.
 */
export const JWKS_MAX_AGE_S = 300;

/** The public members of an EC verification key (RFC 7517, 7518): whatever else identity sent is dropped. */
type PublicJwk = Pick<PublicKeySet['keys'][number], 'kid' | 'kty' | 'crv' | 'x' | 'y' | 'alg' | 'use'>;

/**
 * Identity's verification keys, fetched over TCP and kept as KeyObjects, so
 * verifying an access token needs no network hop (and no PEM re-parsing);
 * also kept as public JWKs for other backends that verify tokens themselves.
 * Refetched on an unknown `kid` (a new key) and every JWKS_MAX_AGE_S (a
 * retired one, which no unknown `kid` would ever reveal).
 */
@Injectable()
export class PublicKeysCache implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(PublicKeysCache.name);
  private keys = new Map<string, KeyObject>();
  private jwks: PublicJwk[] | undefined;
  private fetchedAt = 0;
  private fetching?: Promise<void>;
  private fingerprint = '';
  private refresher?: NodeJS.Timeout;
  /** Set while timed refreshes fail, so an outage is logged once, not every JWKS_MAX_AGE_S. */
  private refreshFailing = false;
  /** Goes up each time a fetch brings a key set other than the one before, so what was verified with it can be forgotten. */
  generation = 0;

  constructor(private readonly identity: IdentityClient) {}

  onApplicationBootstrap(): void {
    // unref: a pending refresh never keeps a stopping gateway alive.
    this.refresher = setInterval(() => void this.refresh(), JWKS_MAX_AGE_S * 1000).unref();
  }

  onModuleDestroy(): void {
    clearInterval(this.refresher);
  }

  async get(kid: string): Promise<KeyObject | undefined> {
    const known = this.keys.get(kid);
    if (known) return known;
    // Unknown kid: identity may have a new key. Forged kids must not turn into a flood of fetches.
    if (Date.now() - this.fetchedAt < MIN_REFETCH_INTERVAL_MS) return undefined;
    await this.refetch();
    return this.keys.get(kid);
  }

  /**
   * The key set, at most JWKS_MAX_AGE_S old while identity answers; the last
   * one fetched when it does not (a key set outlives an outage, tokens too).
   */
  async publicJwks(): Promise<{ keys: PublicJwk[] }> {
    if (!this.jwks || Date.now() - this.fetchedAt >= JWKS_MAX_AGE_S * 1000) {
      try {
        await this.refetch();
      } catch (error) {
        if (!this.jwks) throw error;
      }
    }
    return { keys: this.jwks! };
  }

  /** A timed refresh: on failure the last good set stays (fetch replaces it only on success). */
  private async refresh(): Promise<void> {
    try {
      await this.refetch();
      if (this.refreshFailing) this.logger.log("Refreshed identity's key set again");
      this.refreshFailing = false;
    } catch (error) {
      if (!this.refreshFailing) this.logger.warn(`Could not refresh identity's key set, keeping the last one: ${(error as Error).message}`);
      this.refreshFailing = true;
    }
  }

  private refetch(): Promise<void> {
    this.fetching ??= this.fetch().finally(() => (this.fetching = undefined));
    return this.fetching;
  }

  private async fetch(): Promise<void> {
    const { keys } = await this.identity.send(IdentityPatterns.PublicKeys, {}, { retry: true });
    const usable = keys.filter((jwk) => jwk.alg === ACCESS_TOKEN_ALGORITHM);
    this.keys = new Map(usable.map((jwk) => [jwk.kid, createPublicKey({ key: jwk, format: 'jwk' })]));
    this.jwks = usable.map(({ kid, kty, crv, x, y, alg }) => ({ kid, kty, crv, x, y, alg, use: 'sig' }));
    const fingerprint = JSON.stringify(this.jwks);
    if (fingerprint !== this.fingerprint) {
      this.fingerprint = fingerprint;
      this.generation++;
    }
    this.fetchedAt = Date.now();
  }
}
