import { Injectable } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { AppError } from '#common/errors';
import type { AccessClaims } from '#contracts/identity';
import { LRUCache } from 'lru-cache';
import { GatewayConfig } from '../gateway.config.js';
import { PublicKeysCache } from './public-keys.cache.js';

/** Enough for every token in use on a busy gateway; about 1 KiB each. */
export const VERIFIED_TOKENS_MAX = 20_000;
/** A verified token is trusted from memory this long at most, however long it lives. */
export const VERIFIED_TOKENS_MAX_AGE_MS = 60_000;
/**
 * JWT_CLOCK_TOLERANCE_S's default: none, as the contract has an expired token
 * refused. An operator whose identity and gateway clocks drift may allow some:
 * a token is then taken until `exp` plus that.
 */
export const CLOCK_TOLERANCE_S = 0;
/**
 * How far ahead of the gateway's clock an `iat` may be, beyond that tolerance:
 * clocks kept by NTP still differ by a fraction of a second. A token from
 * further in the future was made by a wrong clock, or by someone else.
 */
export const IAT_AHEAD_S = 5;

interface Verified {
  claims: AccessClaims;
  /** Epoch ms: when a fresh verify would refuse it for its `exp`, or sooner. */
  until: number;
}

/**
 * Checks an access token (`verifyAccessToken`), remembering the answer: it
 * depends only on the token, the key set and the clock, so a token that
 * passed is remembered (bounded, least recently used out) until its `exp` or
 * a minute, whichever is sooner, and every one is forgotten when the key set
 * changes. The ES256 verify was a third of the gateway's CPU on GET /me.
 */
@Injectable()
export class AccessTokenVerifier {
  private readonly verified: LRUCache<string, Verified>;
  private keySet: number;

  private readonly toleranceS: number;

  constructor(
    private readonly jwt: JwtService,
    private readonly keys: PublicKeysCache,
    config: GatewayConfig,
  ) {
    this.toleranceS = config.JWT_CLOCK_TOLERANCE_S;
    this.verified = new LRUCache({ max: VERIFIED_TOKENS_MAX });
    this.keySet = keys.generation;
  }

  async verify(token: string): Promise<AccessClaims> {
    this.forgetOnKeyChange();
    const known = this.verified.get(token);
    if (known && Date.now() < known.until) return known.claims;

    const claims = await verifyAccessToken(this.jwt, token, this.toleranceS);
    // Verifying may have fetched a new key set: what was verified before it goes, this token stays.
    this.forgetOnKeyChange();
    const expiresAt = (claims.exp + this.toleranceS) * 1000;
    this.verified.set(token, { claims, until: Math.min(expiresAt, Date.now() + VERIFIED_TOKENS_MAX_AGE_MS) });
    return claims;
  }

  private forgetOnKeyChange(): void {
    if (this.keySet === this.keys.generation) return;
    this.verified.clear();
    this.keySet = this.keys.generation;
  }
}

/**
 * The check itself, done afresh: signature with identity's public key, ES256
 * only, `iss`, `aud` and a mandatory `exp` within the clock tolerance (the
 * JwtService's options), then the claims' shape and an `iat` that is not in
 * the future (the library does not check it). Any doubt is a 401; an AppError from the key fetch
 * (identity unreachable) passes through as the 503 it is.
 */
export async function verifyAccessToken(jwt: JwtService, token: string, toleranceS = CLOCK_TOLERANCE_S): Promise<AccessClaims> {
  let claims: Partial<AccessClaims>;
  try {
    claims = await jwt.verifyAsync<AccessClaims>(token);
  } catch (error) {
    if (error instanceof AppError) throw error;
    throw AppError.unauthorized('Invalid or expired access token');
  }
  if (
    typeof claims.exp !== 'number' ||
    typeof claims.iat !== 'number' ||
    typeof claims.sub !== 'string' ||
    typeof claims.sid !== 'string'
  ) {
    throw AppError.unauthorized('Invalid access token claims');
  }
  if (claims.iat > Date.now() / 1000 + toleranceS + IAT_AHEAD_S) throw AppError.unauthorized('Access token issued in the future');
  return claims as AccessClaims;
}
