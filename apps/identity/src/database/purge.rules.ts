import type { PurgeRule } from '#common/database';

/**
 * What identity deletes once it is done with it (see Purge): a session that
 * was revoked, or could not refresh for REFRESH_TOKEN_TTL (`$3`), with its
 * refresh tokens. A live session keeps its spent tokens, which are what
 * reveals a stolen one when it is presented again.
 */
export const identityPurgeRules = (refreshTokenTtlS: number): PurgeRule[] => [
  {
    name: 'revoked sessions',
    sql: `DELETE FROM sessions WHERE id IN (
            SELECT id FROM sessions WHERE revoked_at < now() - make_interval(secs => $2) LIMIT $1)`,
  },
  {
    // No index: last_used_at changes with every refresh, and an index on it would cost each one more than this costs an hour.
    name: 'expired sessions',
    sql: `DELETE FROM sessions WHERE id IN (
            SELECT id FROM sessions WHERE revoked_at IS NULL AND last_used_at < now() - make_interval(secs => $2::float8 + $3::float8) LIMIT $1)`,
    params: [refreshTokenTtlS],
  },
];
