// The periodic purge against real processes and a real PostgreSQL: what is done with goes, the rest stays.
import { createHash } from 'node:crypto';
import pg from 'pg';
import { startGatehouse, STRONG_PASSWORD, uniqueName, type TestGatehouse } from '../support/gatehouse.js';
import { SmtpInbox } from '../support/smtp-inbox.js';
import { until } from '../support/until.js';

let inbox: SmtpInbox;
let gh: TestGatehouse;
let users: pg.Client;
let identity: pg.Client;

beforeAll(async () => {
  inbox = await SmtpInbox.start();
  gh = await startGatehouse({ PURGE_AFTER_DAYS: '1', PURGE_INTERVAL_S: '1' }, { smtp: inbox.url });
  users = new pg.Client({ connectionString: gh.system.database!.url('user') });
  identity = new pg.Client({ connectionString: gh.system.database!.url('identity') });
  await Promise.all([users.connect(), identity.connect()]);
}, 120_000);
afterAll(async () => {
  await Promise.all([users?.end(), identity?.end()]);
  await gh?.stop();
  await inbox?.stop();
});

const count = async (db: pg.Client, sql: string, id: string) => (await db.query(`SELECT count(*)::int AS n FROM ${sql}`, [id])).rows[0].n;

it('deletes spent links, delivered mails and ended sessions older than PURGE_AFTER_DAYS, and nothing in use', async () => {
  const username = uniqueName('prg');
  const registered = (await gh.http.post('/register', { username, password: STRONG_PASSWORD, email: `${username}@example.com` })).body;
  const userId = registered.user.id;
  await inbox.waitFor((mail) => mail.to === `${username}@example.com`);
  expect((await gh.http.post('/password/forgot', { email: `${username}@example.com` })).status).toBe(202);
  const ended = (await gh.http.post('/login', { username, password: STRONG_PASSWORD })).body;
  const idle = (await gh.http.post('/login', { username, password: STRONG_PASSWORD })).body;
  expect((await gh.http.post('/logout', { refreshToken: ended.refreshToken })).status).toBe(204);
  await until(
    'both mails delivered',
    async () => (await count(users, 'mail_outbox WHERE user_id = $1 AND sent_at IS NOT NULL', userId)) === 2,
    10_000,
  );

  // Two days on for some rows: the verification link spent, its mail delivered, a session ended, another idle past its refresh life.
  await users.query(`UPDATE account_tokens SET used_at = now() - interval '2 days' WHERE user_id = $1 AND purpose = 'email_verification'`, [
    userId,
  ]);
  await users.query(`UPDATE mail_outbox SET sent_at = now() - interval '2 days' WHERE user_id = $1 AND kind = 'email_verification'`, [
    userId,
  ]);
  const sessionOf = async (refreshToken: string) =>
    (
      await identity.query(`SELECT session_id FROM refresh_tokens WHERE token_hash = $1`, [
        createHash('sha256').update(refreshToken).digest('hex'),
      ])
    ).rows[0]?.session_id as string;
  const [endedId, idleId, liveId] = await Promise.all([ended, idle, registered].map((tokens) => sessionOf(tokens.refreshToken)));
  expect([endedId, idleId, liveId].every(Boolean)).toBe(true);
  await identity.query(`UPDATE sessions SET revoked_at = now() - interval '2 days' WHERE id = $1`, [endedId]);
  await identity.query(`UPDATE sessions SET last_used_at = now() - interval '40 days' WHERE id = $1`, [idleId]);

  await until(
    'the ended and the idle session purged',
    async () =>
      (await count(identity, 'sessions WHERE id = $1', endedId)) + (await count(identity, 'sessions WHERE id = $1', idleId)) === 0,
    10_000,
  );
  await until('the spent links purged', async () => (await count(users, 'account_tokens WHERE user_id = $1', userId)) === 1, 10_000);
  expect(await count(identity, 'refresh_tokens WHERE session_id = $1', endedId)).toBe(0);
  // The reset link, its mail's record and the live session stay.
  expect(await count(users, `account_tokens WHERE user_id = $1 AND purpose = 'password_reset'`, userId)).toBe(1);
  expect(await count(users, `mail_outbox WHERE user_id = $1`, userId)).toBe(1);
  expect((await gh.http.post('/refresh', { refreshToken: registered.refreshToken })).status).toBe(200);
});
