import { createPublicKey, type KeyObject } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { ACCESS_TOKEN_ALGORITHM, IdentityPatterns } from '#contracts';
import { IdentityClient } from '../rpc/clients.js';

/** A token with an unknown `kid` may trigger a re-fetch, but not more often than this. */
const MIN_REFETCH_INTERVAL_MS = 5_000;

/**
 * Identity's verification keys, fetched over TCP and kept as KeyObjects, so
 * verifying an access token needs no network hop (and no PEM re-parsing).
 */
@Injectable()
export class PublicKeysCache {
  private keys = new Map<string, KeyObject>();
  private fetchedAt = 0;
  private fetching?: Promise<void>;

  constructor(private readonly identity: IdentityClient) {}

  async get(kid: string): Promise<KeyObject | undefined> {
    const known = this.keys.get(kid);
    if (known) return known;
    // Unknown kid: identity may have a new key. Forged kids must not turn into a flood of fetches.
    if (Date.now() - this.fetchedAt < MIN_REFETCH_INTERVAL_MS) return undefined;
    await this.refetch();
    return this.keys.get(kid);
  }

  private refetch(): Promise<void> {
    this.fetching ??= this.fetch().finally(() => (this.fetching = undefined));
    return this.fetching;
  }

  private async fetch(): Promise<void> {
    const { keys } = await this.identity.send(IdentityPatterns.PublicKeys, {}, { retry: true });
    this.keys = new Map(
      keys.filter((jwk) => jwk.alg === ACCESS_TOKEN_ALGORITHM).map((jwk) => [jwk.kid, createPublicKey({ key: jwk, format: 'jwk' })]),
    );
    this.fetchedAt = Date.now();
  }
}
