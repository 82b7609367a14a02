/** Injection token of the gateway's client for the identity service. */
export const IDENTITY_SERVICE = Symbol('IDENTITY_SERVICE');

export const IdentityPatterns = {
  IssueTokens: 'identity.issue_tokens',
  Refresh: 'identity.refresh',
  Revoke: 'identity.revoke',
  PublicKeys: 'identity.public_keys',
  Health: 'identity.health',
} as const;

/** The only algorithm identity signs with and the gateway accepts. */
export const ACCESS_TOKEN_ALGORITHM = 'ES256';
