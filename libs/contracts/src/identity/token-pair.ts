import { ApiProperty } from '@nestjs/swagger';
import type { JsonWebKey } from 'node:crypto';
import { UserView } from '../user/user.view.js';

export class TokenPair {
  @ApiProperty({ description: 'ES256 JWT for `Authorization: Bearer`.' })
  accessToken: string;

  @ApiProperty({ description: 'Unix seconds when the access token expires.' })
  accessExpire: number;

  @ApiProperty({ description: 'Unix seconds after which a client should refresh (half the access token life).' })
  refreshAfter: number;

  @ApiProperty({ description: 'Opaque; single use: each refresh returns a new one.' })
  refreshToken: string;
}

/** `identity.refresh` reply: the new pair, whose it is, and the credentials version its session began under. */
export interface RefreshedTokens extends TokenPair {
  userId: string;
  credentialsVersion: number;
}

/** Body of a successful register, login or refresh. */
export class AuthResponse extends TokenPair {
  @ApiProperty({ type: UserView })
  user: UserView;
}

/** `identity.public_keys` reply: the verification keys, as JWKs with `kid`. */
export interface PublicKeySet {
  keys: Array<JsonWebKey & { kid: string }>;
}

/** `identity.revoke` reply: whether a live session was ended (logout is idempotent either way). */
export interface RevokeResult {
  revoked: boolean;
}
