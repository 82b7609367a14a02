import type { PurgeRule } from '#common/database';

/** What the user service deletes once it is done with it (see Purge). An account itself is deleted only on request. */
export const USER_PURGE_RULES: PurgeRule[] = [
  {
    name: 'account links',
    // Spent, revoked or expired: no claim can succeed any more.
    sql: `DELETE FROM account_tokens WHERE id IN (
            SELECT id FROM account_tokens WHERE coalesce(used_at, expires_at) < now() - make_interval(secs => $2) LIMIT $1)`,
  },
  {
    name: 'outbox mails',
    // Delivered, or dropped undelivered (no token left to send).
    sql: `DELETE FROM mail_outbox WHERE id IN (
            SELECT id FROM mail_outbox
             WHERE (sent_at IS NOT NULL OR token IS NULL) AND coalesce(sent_at, expires_at) < now() - make_interval(secs => $2) LIMIT $1)`,
  },
];
