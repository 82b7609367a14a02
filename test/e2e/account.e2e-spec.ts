// The account lifecycle end to end: real processes, a real PostgreSQL, a real SMTP server.
import bcrypt from 'bcrypt';
import pg from 'pg';
import { decodePart } from '../support/jwt.js';
import { logsFlushed } from '../support/logs.js';
import { startGatehouse, STRONG_PASSWORD, uniqueName, type TestGatehouse } from '../support/gatehouse.js';
import { SmtpInbox, type ReceivedMail } from '../support/smtp-inbox.js';

const NEW_PASSWORD = 'amber-Lantern-93-quiet';
const MAIL_LIMIT = 3;
let inbox: SmtpInbox;
let gh: TestGatehouse;
let db: pg.Client;

beforeAll(async () => {
  inbox = await SmtpInbox.start();
  gh = await startGatehouse(
    { OUTBOX_POLL_MS: '200', OUTBOX_MAX_BACKOFF_MS: '500', LOGIN_MAX_FAILURES: '4', ACCOUNT_MAIL_LIMIT: String(MAIL_LIMIT) },
    { smtp: inbox.url },
  );
  db = new pg.Client({ connectionString: gh.system.database!.url('user') });
  await db.connect();
}, 120_000);
afterAll(async () => {
  await db?.end();
  await gh?.stop();
  await inbox?.stop();
});

interface Account {
  username: string;
  email: string;
  userId: string;
  accessToken: string;
  refreshToken: string;
}

async function register(withEmail = true): Promise<Account> {
  const username = uniqueName('acc');
  const email = `${username}@example.com`;
  const res = await gh.http.post('/register', { username, password: STRONG_PASSWORD, ...(withEmail ? { email } : {}) });
  expect(res.status).toBe(201);
  return { username, email, userId: res.body.user.id, accessToken: res.body.accessToken, refreshToken: res.body.refreshToken };
}

const mailTo = (to: string, kind: 'Verify' | 'reset', after = 0) =>
  inbox.waitFor((mail, index = inbox.mails.indexOf(mail)) => mail.to === to && index >= after && new RegExp(kind, 'i').test(mail.subject));

async function login(username: string, password = STRONG_PASSWORD) {
  return gh.http.post('/login', { username, password });
}

/** The mails of `kind` to `to` once the outbox has had time to send all it was given (it polls every 200 ms here). */
async function mailsSettled(to: string, kind: 'Verify' | 'reset', atLeast: number): Promise<number> {
  const count = () => inbox.mails.filter((mail) => mail.to === to && new RegExp(kind, 'i').test(mail.subject)).length;
  for (const started = Date.now(); count() < atLeast && Date.now() - started < 10_000;)
    await new Promise((resolve) => setTimeout(resolve, 50));
  await new Promise((resolve) => setTimeout(resolve, 1_000));
  return count();
}

async function resetMail(email: string): Promise<ReceivedMail> {
  const after = inbox.mails.length;
  expect((await gh.http.post('/password/forgot', { email })).status).toBe(202);
  return mailTo(email, 'reset', after);
}

describe('email verification', () => {
  it('mails a link on registration that verifies the email once and only once', async () => {
    const account = await register();
    const mail = await mailTo(account.email, 'Verify');
    expect(mail.link).toMatch(new RegExp(`^${gh.system.gatewayUrl}/email/verify\\?token=`));
    expect(mail.html).toContain(mail.token);
    expect((await gh.http.get('/me', gh.http.bearer(account.accessToken))).body.emailVerifiedAt).toBeNull();

    const verified = await gh.http.post('/email/verify', { token: mail.token });
    expect(verified.status).toBe(200);
    expect(verified.body).toMatchObject({ id: account.userId, email: account.email, emailVerifiedAt: expect.any(String) });
    expect((await gh.http.get('/me', gh.http.bearer(account.accessToken))).body.emailVerifiedAt).toBe(verified.body.emailVerifiedAt);

    const again = await gh.http.post('/email/verify', { token: mail.token });
    expect(again.status).toBe(400);
    expect(again.body.code).toBe('INVALID_TOKEN');
  });

  it('serves the link as a page that spends nothing, and keeps the token out of the logs', async () => {
    const account = await register();
    const mail = await mailTo(account.email, 'Verify');
    const page = await gh.http.get(new URL(mail.link!).pathname + new URL(mail.link!).search);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toContain('text/html');
    expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect((await gh.http.get('/account-links.js')).text).toContain('/email/verify');
    expect((await gh.http.post('/email/verify', { token: mail.token })).status).toBe(200); // the GET did not spend it
    await logsFlushed();
    expect(gh.logs.some((line) => line.includes(mail.token!))).toBe(false);
  });

  it('refuses an expired, unknown or malformed token', async () => {
    const account = await register();
    const mail = await mailTo(account.email, 'Verify');
    await db.query(`UPDATE account_tokens SET expires_at = now() - interval '1 second' WHERE user_id = $1`, [account.userId]);
    expect((await gh.http.post('/email/verify', { token: mail.token })).body.code).toBe('INVALID_TOKEN');
    expect((await gh.http.post('/email/verify', { token: 'x'.repeat(43) })).body).toMatchObject({ statusCode: 400, code: 'INVALID_TOKEN' });
    for (const body of [{}, { token: 42 }, { token: '' }, { token: 'x'.repeat(300) }, { token: 'a', extra: 1 }]) {
      expect((await gh.http.post('/email/verify', body)).body).toMatchObject({ statusCode: 400, code: 'VALIDATION_FAILED' });
    }
  });

  it('resends on POST /email/verification, and says why it cannot', async () => {
    const account = await register();
    const first = await mailTo(account.email, 'Verify');
    const after = inbox.mails.length;
    const resend = await gh.http.post('/email/verification', undefined, gh.http.bearer(account.accessToken));
    expect(resend.status).toBe(202);
    const second = await mailTo(account.email, 'Verify', after);
    expect(second.token).not.toBe(first.token);
    expect((await gh.http.post('/email/verify', { token: second.token })).status).toBe(200);
    const verified = await gh.http.post('/email/verification', undefined, gh.http.bearer(account.accessToken));
    expect(verified.body).toMatchObject({ statusCode: 400, code: 'EMAIL_ALREADY_VERIFIED' });

    const noEmail = await register(false);
    const missing = await gh.http.post('/email/verification', undefined, gh.http.bearer(noEmail.accessToken));
    expect(missing.body).toMatchObject({ statusCode: 400, code: 'EMAIL_MISSING' });
    expect((await gh.http.post('/email/verification')).body).toMatchObject({ statusCode: 401, code: 'UNAUTHORIZED' });
  });

  it('resends at most ACCOUNT_MAIL_LIMIT times an hour, then answers 429 with Retry-After', async () => {
    const account = await register();
    const auth = gh.http.bearer(account.accessToken);
    for (let i = 0; i < MAIL_LIMIT; i++) expect((await gh.http.post('/email/verification', undefined, auth)).status).toBe(202);
    const refused = await gh.http.post('/email/verification', undefined, auth);
    expect(refused.body).toMatchObject({ statusCode: 429, code: 'RATE_LIMITED' });
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(3000);
    // The registration's own mail, and one per accepted resend.
    expect(await mailsSettled(account.email, 'Verify', 1 + MAIL_LIMIT)).toBe(1 + MAIL_LIMIT);
  });
});

describe('password recovery', () => {
  it('answers the same for an unknown and a known email, and mails only the known one', async () => {
    const account = await register();
    const unknownEmail = `${uniqueName('nobody')}@example.com`;
    const known = await gh.http.post('/password/forgot', { email: account.email.toUpperCase() });
    const unknown = await gh.http.post('/password/forgot', { email: unknownEmail });
    expect(known.status).toBe(202);
    expect(unknown.status).toBe(202);
    expect(unknown.text).toBe(known.text);
    await mailTo(account.email, 'reset');
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(inbox.mails.some((mail) => mail.to === unknownEmail)).toBe(false);
    expect((await gh.http.post('/password/forgot', { email: 'not-an-email' })).body.code).toBe('VALIDATION_FAILED');
  });

  it('mails one account at most ACCOUNT_MAIL_LIMIT resets an hour, answering every request as for an unknown address', async () => {
    const account = await register();
    const unknown = await gh.http.post('/password/forgot', { email: `${uniqueName('nobody')}@example.com` });
    for (let i = 0; i < MAIL_LIMIT + 2; i++) {
      const answer = await gh.http.post('/password/forgot', { email: account.email });
      expect([answer.status, answer.text]).toEqual([202, unknown.text]);
    }
    expect(await mailsSettled(account.email, 'reset', MAIL_LIMIT)).toBe(MAIL_LIMIT);
    const tokens = await db.query(`SELECT count(*)::int AS n FROM account_tokens WHERE user_id = $1 AND purpose = 'password_reset'`, [
      account.userId,
    ]);
    expect(tokens.rows[0].n).toBe(MAIL_LIMIT);
  });

  it('resets once: every old session ends, the old password fails, the new one works', async () => {
    const account = await register();
    const other = await login(account.username);
    const mail = await resetMail(account.email);
    expect(mail.link).toContain('/password/reset?token=');

    expect((await gh.http.post('/password/reset', { token: mail.token, password: 'password' })).body.code).toBe('PASSWORD_TOO_WEAK');
    expect((await gh.http.post('/password/reset', { token: mail.token, password: account.username })).body.code).toBe('PASSWORD_TOO_WEAK');
    expect((await gh.http.post('/password/reset', { token: mail.token, password: 'é'.repeat(37) })).body.code).toBe('PASSWORD_TOO_LONG');
    expect((await gh.http.post('/password/reset', { token: mail.token, password: NEW_PASSWORD })).status).toBe(204);
    expect((await gh.http.post('/password/reset', { token: mail.token, password: NEW_PASSWORD })).body.code).toBe('INVALID_TOKEN');

    for (const refreshToken of [account.refreshToken, other.body.refreshToken]) {
      expect((await gh.http.post('/refresh', { refreshToken })).status).toBe(401);
    }
    expect((await login(account.username)).body.code).toBe('INVALID_CREDENTIALS');
    expect((await login(account.username, NEW_PASSWORD)).status).toBe(200);
  });

  it('ends every session at its next refresh even when identity missed the reset', async () => {
    const account = await register();
    const other = (await login(account.username)).body;
    const reset = await resetMail(account.email);
    const identity = gh.system.apps.identity!;
    process.kill(identity.pid, 'SIGKILL');
    await identity.exited;
    try {
      // The password is reset; the revocation that goes with it cannot reach identity.
      expect((await gh.http.post('/password/reset', { token: reset.token, password: NEW_PASSWORD })).status).toBe(503);
    } finally {
      await gh.system.startApp('identity');
    }
    for (const { refreshToken } of [account, other]) {
      expect((await gh.http.post('/refresh', { refreshToken })).body).toMatchObject({ statusCode: 401, code: 'INVALID_REFRESH_TOKEN' });
    }
    expect((await login(account.username, NEW_PASSWORD)).status).toBe(200);
  });

  it('lets exactly one of 10 concurrent uses of a reset token win', async () => {
    const account = await register();
    const mail = await resetMail(account.email);
    const results = await Promise.all(
      Array.from({ length: 10 }, () => gh.http.post('/password/reset', { token: mail.token, password: NEW_PASSWORD })),
    );
    expect(results.filter((res) => res.status === 204)).toHaveLength(1);
    expect(results.filter((res) => res.status !== 204).map((res) => res.body.code)).toEqual(Array(9).fill('INVALID_TOKEN'));
  });

  it('refuses an expired reset token', async () => {
    const account = await register();
    const mail = await resetMail(account.email);
    await db.query(`UPDATE account_tokens SET expires_at = now() - interval '1 second' WHERE user_id = $1`, [account.userId]);
    expect((await gh.http.post('/password/reset', { token: mail.token, password: NEW_PASSWORD })).body.code).toBe('INVALID_TOKEN');
  });
});

describe('POST /password/change', () => {
  it('ends every other session and keeps the current one', async () => {
    const account = await register(false);
    const other = await login(account.username);
    const change = await gh.http.post(
      '/password/change',
      { currentPassword: STRONG_PASSWORD, newPassword: NEW_PASSWORD },
      gh.http.bearer(account.accessToken),
    );
    expect(change.status).toBe(204);
    expect((await gh.http.post('/refresh', { refreshToken: other.body.refreshToken })).status).toBe(401);
    expect((await gh.http.post('/refresh', { refreshToken: account.refreshToken })).status).toBe(200);
    expect((await login(account.username, NEW_PASSWORD)).status).toBe(200);
  });

  it('answers 401 for a wrong current password, counted toward the account limit', async () => {
    const account = await register(false);
    const auth = gh.http.bearer(account.accessToken);
    const wrong = { currentPassword: 'not-the-password', newPassword: NEW_PASSWORD };
    for (let i = 0; i < 4; i++) expect((await gh.http.post('/password/change', wrong, auth)).body.code).toBe('INVALID_CREDENTIALS');
    const locked = await gh.http.post('/password/change', { currentPassword: STRONG_PASSWORD, newPassword: NEW_PASSWORD }, auth);
    expect(locked.status).toBe(429);
    expect(locked.headers.get('retry-after')).toMatch(/^\d+$/);
    expect((await login(account.username)).status).toBe(429);
  });

  it('applies the password policy and needs a token', async () => {
    const account = await register(false);
    const auth = gh.http.bearer(account.accessToken);
    const weak = await gh.http.post('/password/change', { currentPassword: STRONG_PASSWORD, newPassword: 'password1' }, auth);
    expect(weak.body.code).toBe('PASSWORD_TOO_WEAK');
    const missing = await gh.http.post('/password/change', { newPassword: NEW_PASSWORD }, auth);
    expect(missing.body.code).toBe('VALIDATION_FAILED');
    expect((await gh.http.post('/password/change', { currentPassword: STRONG_PASSWORD, newPassword: NEW_PASSWORD })).status).toBe(401);
  });
});

describe('PATCH /me', () => {
  it('sets a new, unverified email and mails it a verification link', async () => {
    const account = await register();
    const first = await mailTo(account.email, 'Verify');
    expect((await gh.http.post('/email/verify', { token: first.token })).status).toBe(200);
    const email = `${uniqueName('new')}@example.com`;
    const res = await gh.http.request(
      'PATCH',
      '/me',
      JSON.stringify({ email, currentPassword: STRONG_PASSWORD }),
      gh.http.bearer(account.accessToken),
    );
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id: account.userId, email, emailVerifiedAt: null });
    const mail = await mailTo(email, 'Verify');
    expect((await gh.http.post('/email/verify', { token: mail.token })).body.email).toBe(email);
  });

  it('ends the reset and verification links mailed to the old address', async () => {
    const account = await register();
    const verification = await mailTo(account.email, 'Verify');
    const reset = await resetMail(account.email);
    const email = `${uniqueName('moved')}@example.com`;
    const body = JSON.stringify({ email, currentPassword: STRONG_PASSWORD });
    expect((await gh.http.request('PATCH', '/me', body, gh.http.bearer(account.accessToken))).status).toBe(200);
    expect((await gh.http.post('/password/reset', { token: reset.token, password: NEW_PASSWORD })).body.code).toBe('INVALID_TOKEN');
    expect((await gh.http.post('/email/verify', { token: verification.token })).body.code).toBe('INVALID_TOKEN');
    expect((await login(account.username)).status).toBe(200);
  });

  it('answers 409 EMAIL_TAKEN, 401 for a wrong password, 400 for a bad address', async () => {
    const account = await register();
    const taken = await register();
    const patch = (body: unknown) => gh.http.request('PATCH', '/me', JSON.stringify(body), gh.http.bearer(account.accessToken));
    expect((await patch({ email: taken.email.toUpperCase(), currentPassword: STRONG_PASSWORD })).body.code).toBe('EMAIL_TAKEN');
    expect((await patch({ email: 'a@example.com', currentPassword: 'wrong-password' })).body).toMatchObject({ statusCode: 401 });
    expect((await patch({ email: 'nope', currentPassword: STRONG_PASSWORD })).body.code).toBe('VALIDATION_FAILED');
    expect((await gh.http.get('/me', gh.http.bearer(account.accessToken))).body.email).toBe(account.email);
  });
});

describe('a hash from before BCRYPT_ROUNDS changed', () => {
  it('is made anew at the configured cost after the next login, and no session ends', async () => {
    const account = await register(false);
    await db.query(`UPDATE users SET password_hash = $2 WHERE id = $1`, [account.userId, await bcrypt.hash(STRONG_PASSWORD, 5)]);
    expect((await login(account.username)).status).toBe(200);
    const stored = async () =>
      (await db.query(`SELECT password_hash, credentials_version FROM users WHERE id = $1`, [account.userId])).rows[0];
    for (const started = Date.now(); (await stored()).password_hash.startsWith('$2b$05$') && Date.now() - started < 5_000;) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const { password_hash: hash, credentials_version: version } = await stored();
    expect([bcrypt.getRounds(hash), version]).toEqual([4, 0]);
    expect((await gh.http.post('/refresh', { refreshToken: account.refreshToken })).status).toBe(200);
    expect((await login(account.username)).status).toBe(200);
  });
});

describe('concurrent changes of one account', () => {
  it('queue behind each other instead of deadlocking: a verification waits for a change holding the user row', async () => {
    const account = await register();
    const mail = await mailTo(account.email, 'Verify');
    // Another transaction doing what an email change or a reset does: the user row first, then the account's links.
    const other = new pg.Client({ connectionString: gh.system.database!.url('user') });
    await other.connect();
    try {
      await other.query('BEGIN');
      await other.query(`UPDATE users SET last_login_at = now() WHERE id = $1`, [account.userId]);
      const verifying = gh.http.post('/email/verify', { token: mail.token });
      await waitForLockWait();
      // Had the verification claimed its link before waiting, this would deadlock and PostgreSQL would abort one side.
      await other.query(`UPDATE account_tokens SET expires_at = expires_at WHERE user_id = $1`, [account.userId]);
      await other.query('COMMIT');
      const verified = await verifying;
      expect([verified.status, verified.body.email]).toEqual([200, account.email]);
    } finally {
      await other.end();
    }
  });
});

/** Until some statement of the user service waits for a row lock. */
async function waitForLockWait(): Promise<void> {
  const waiting = `SELECT count(*)::int AS n FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND datname = current_database()`;
  for (const started = Date.now(); Date.now() - started < 5_000;) {
    if ((await db.query(waiting)).rows[0].n > 0) return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error('no statement waited for a lock within 5 s');
}

describe('DELETE /me', () => {
  it('deletes the account and its sessions; the username and email are free again', async () => {
    const account = await register();
    const other = await login(account.username);
    const del = (password: string) => gh.http.request('DELETE', '/me', JSON.stringify({ password }), gh.http.bearer(account.accessToken));
    expect((await del('wrong-password')).status).toBe(401);
    expect((await del(STRONG_PASSWORD)).status).toBe(204);

    expect((await gh.http.get('/me', gh.http.bearer(account.accessToken))).status).toBe(401);
    expect((await gh.http.get('/me', gh.http.bearer(other.body.accessToken))).status).toBe(401);
    expect((await gh.http.post('/refresh', { refreshToken: other.body.refreshToken })).status).toBe(401);
    expect((await del(STRONG_PASSWORD)).status).toBe(401);
    // The session routes ask identity only, which knows no accounts: they must not take the token either.
    for (const [method, path] of [
      ['GET', '/sessions'],
      ['DELETE', '/sessions'],
      ['DELETE', '/sessions?scope=others'],
      ['DELETE', `/sessions/${decodePart(other.body.accessToken, 1).sid}`],
      ['DELETE', '/sessions/not-a-uuid'],
    ]) {
      const res = await gh.http.request(method, path, undefined, gh.http.bearer(account.accessToken));
      expect([method, path, res.status, res.body.code]).toEqual([method, path, 401, 'UNAUTHORIZED']);
    }
    const again = await gh.http.post('/register', { username: account.username, password: STRONG_PASSWORD, email: account.email });
    expect(again.status).toBe(201);
  });
});

describe('mail that cannot go out yet', () => {
  it('answers 202 at once with the mail service down, and delivers once it is back', async () => {
    const account = await register(false);
    await db.query(`UPDATE users SET email = $2 WHERE id = $1`, [account.userId, account.email]);
    const mail = gh.system.apps.mail!;
    process.kill(mail.pid, 'SIGKILL');
    await mail.exited;
    const started = Date.now();
    expect((await gh.http.post('/password/forgot', { email: account.email })).status).toBe(202);
    expect(Date.now() - started).toBeLessThan(1_000);
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect(inbox.mails.some((received) => received.to === account.email)).toBe(false);
    await gh.system.restart('mail');
    await mailTo(account.email, 'reset');
  });

  it('answers 202 at once with the SMTP server down, and delivers once it is back', async () => {
    const account = await register(false);
    await db.query(`UPDATE users SET email = $2 WHERE id = $1`, [account.userId, account.email]);
    await inbox.stop();
    try {
      const started = Date.now();
      expect((await gh.http.post('/password/forgot', { email: account.email })).status).toBe(202);
      expect(Date.now() - started).toBeLessThan(1_000);
      await new Promise((resolve) => setTimeout(resolve, 1_500));
    } finally {
      await inbox.restart();
    }
    const mail = await mailTo(account.email, 'reset');
    expect((await gh.http.post('/password/reset', { token: mail.token, password: NEW_PASSWORD })).status).toBe(204);
  });
});
