import type { ServiceHealth } from '../health/service-health.js';
import type { NoPayload } from '../rpc/wire.js';
import type { IssueTokensDto } from './issue-tokens.dto.js';
import type { RefreshSessionDto } from './refresh-session.dto.js';
import type { RefreshTokenDto } from './refresh-token.dto.js';
import type { RevokeUserSessionsDto } from './revoke-user-sessions.dto.js';
import type { ListSessionsDto, RevokeSessionDto } from './session-management.dto.js';
import type { SessionView } from './session.view.js';
import type { PublicKeySet, RefreshedTokens, RevokeResult, TokenPair } from './token-pair.js';

/** Injection token of the gateway's client for the identity service. */
export const IDENTITY_SERVICE = Symbol('IDENTITY_SERVICE');

export const IdentityPatterns = {
  IssueTokens: 'identity.issue_tokens',
  Refresh: 'identity.refresh',
  Revoke: 'identity.revoke',
  RevokeUserSessions: 'identity.revoke_user_sessions',
  ListSessions: 'identity.list_sessions',
  RevokeSession: 'identity.revoke_session',
  PublicKeys: 'identity.public_keys',
  Health: 'identity.health',
} as const;

/** What the identity service answers to each pattern. */
export type IdentityMessages = {
  [IdentityPatterns.IssueTokens]: { payload: IssueTokensDto; reply: TokenPair };
  [IdentityPatterns.Refresh]: { payload: RefreshSessionDto; reply: RefreshedTokens };
  [IdentityPatterns.Revoke]: { payload: RefreshTokenDto; reply: RevokeResult };
  [IdentityPatterns.RevokeUserSessions]: { payload: RevokeUserSessionsDto; reply: { revoked: number } };
  [IdentityPatterns.ListSessions]: { payload: ListSessionsDto; reply: SessionView[] };
  /** 404 NOT_FOUND for a session that is unknown, already ended or another user's: the same answer for all three. */
  [IdentityPatterns.RevokeSession]: { payload: RevokeSessionDto; reply: { revoked: true } };
  [IdentityPatterns.PublicKeys]: { payload: NoPayload; reply: PublicKeySet };
  [IdentityPatterns.Health]: { payload: NoPayload; reply: ServiceHealth };
};

/** Identity consumes no events yet. */
export type IdentityEventPayloads = Record<never, never>;

/** The only algorithm identity signs with and the gateway accepts. */
export const ACCESS_TOKEN_ALGORITHM = 'ES256';

/** The claims of an access token: what identity signs and the gateway verifies. */
export interface AccessClaims {
  /** The user's id. */
  sub: string;
  /** The session's id. */
  sid: string;
  iat: number;
  exp: number;
}
