import { randomUUID } from 'node:crypto';
import { AppError } from '#common/errors';
import { Limits } from '#common/limits';
import { Deadline } from '#common/overload';
import type { EntityManager } from 'typeorm';
import type { UserEventsPublisher } from '../outbox/mail.client.js';
import type { PasswordHasher } from '../users/password-hasher.js';
import { User } from '../users/user.entity.js';
import type { UsersRepository } from '../users/users.repository.js';
import type { UsersService } from '../users/users.service.js';
import type { UserConfig } from '../user.config.js';
import { AccountMailThrottle } from './account-mail-throttle.js';
import type { AccountMails } from './account-mails.js';
import type { AccountTokensRepository, TokenPurpose } from './account-tokens.repository.js';
import { AccountsService } from './accounts.service.js';

const DB = {} as EntityManager;

function userRow(fields: Partial<User> = {}): User {
  return Object.assign(new User(), {
    id: randomUUID(),
    username: 'Alice',
    email: 'alice@example.com',
    emailVerifiedAt: null,
    passwordHash: 'hashed(old)',
    createdAt: new Date(),
    lastLoginAt: null,
    ...fields,
  });
}

/** Tokens in memory: `claim` succeeds once per token, as the conditional UPDATE does. */
class FakeTokens {
  ops: string[] = [];
  readonly live = new Map<string, { purpose: TokenPurpose; userId: string; email: string | null }>();
  async liveUserId(purpose: TokenPurpose, token: string) {
    const row = this.live.get(token);
    return row?.purpose === purpose ? row.userId : undefined;
  }
  async claim(_db: EntityManager, purpose: TokenPurpose, token: string) {
    const row = this.live.get(token);
    this.ops.push(`claim ${purpose}`);
    if (row?.purpose !== purpose) return undefined;
    this.live.delete(token);
    return { userId: row.userId, email: row.email };
  }
  async revokeOutstanding() {}
}

function setUp(user = userRow(), mailLimit = 5) {
  const users = {
    rows: [user],
    passwordSet: [] as string[],
    deleted: [] as string[],
    transaction: <T>(work: (db: EntityManager) => Promise<T>) => work(DB),
    /** What the account's transactions did, in order. */
    ops: [] as string[],
    lockRow: async (_db: EntityManager, id: string) => (users.ops.push(`lock ${id}`), users.rows.find((row) => row.id === id)),
    findById: async (id: string) => users.rows.find((row) => row.id === id) ?? null,
    findByEmail: async (email: string) => users.rows.find((row) => row.email?.toLowerCase() === email.toLowerCase()) ?? null,
    // Answers the new credentials version, as the UPDATE does: one more per change.
    setPasswordHash: async (_db: EntityManager, _id: string, hash: string) => (
      users.ops.push('set password'),
      users.passwordSet.push(hash)
    ),
    setEmail: async () => undefined,
    markEmailVerified: async (_db: EntityManager, id: string) => users.rows.find((row) => row.id === id),
    delete: async (_db: EntityManager, id: string) => (users.deleted.push(id), true),
  };
  const hasher = { hashed: [] as string[], hash: async (password: string) => (hasher.hashed.push(password), `hashed(${password})`) };
  // A queued mail is its label here; what the transaction returns must reach sendCommitted.
  const mails = {
    queued: [] as string[],
    sent: [] as string[],
    queue: (label: string) => (users.ops.push(`queue ${label}`), mails.queued.push(label), label),
    queueVerification: async (_db: EntityManager, u: User) => mails.queue(`verify:${u.email}`),
    queuePasswordReset: async (_db: EntityManager, u: User) => mails.queue(`reset:${u.email}`),
    sendCommitted: (mail: string | undefined) => void (mail && mails.sent.push(mail)),
    revoked: [] as string[],
    revokeOutstanding: async (_db: EntityManager, _id: string, ...kinds: string[]) => void mails.revoked.push(...kinds),
  };
  const events = { published: [] as string[], publish: (event: string) => void events.published.push(event) };
  const accounts = {
    checkPassword: async (id: string, password: string) => {
      if (password !== 'old') throw new AppError('INVALID_CREDENTIALS', 'wrong');
      return (await users.findById(id))!;
    },
    conflict: () => undefined,
  };
  const tokens = new FakeTokens();
  tokens.ops = users.ops;
  const service = new AccountsService(
    users as unknown as UsersRepository,
    accounts as unknown as UsersService,
    tokens as unknown as AccountTokensRepository,
    mails as unknown as AccountMails,
    hasher as unknown as PasswordHasher,
    events as unknown as UserEventsPublisher,
    new AccountMailThrottle({ ACCOUNT_MAIL_LIMIT: mailLimit } as UserConfig, Limits.inMemory()),
  );
  return { service, user, users, hasher, mails, events, tokens };
}

describe('AccountsService.resetPassword', () => {
  it('spends no bcrypt work on a dead token', async () => {
    const { service, hasher } = setUp();
    await expect(service.resetPassword({ token: 'unknown', password: 'new-password-1' })).rejects.toMatchObject({ code: 'INVALID_TOKEN' });
    expect(hasher.hashed).toEqual([]);
  });

  it('refuses the username as the new password before hashing', async () => {
    const { service, user, tokens, hasher } = setUp();
    tokens.live.set('t', { purpose: 'password_reset', userId: user.id, email: user.email });
    await expect(service.resetPassword({ token: 't', password: 'ALICE' })).rejects.toMatchObject({
      code: 'PASSWORD_TOO_WEAK',
      status: 400,
    });
    expect(hasher.hashed).toEqual([]);
  });

  it('sets the new hash once and names the user whose sessions must end', async () => {
    const { service, user, tokens, users } = setUp();
    tokens.live.set('t', { purpose: 'password_reset', userId: user.id, email: user.email });
    await expect(service.resetPassword({ token: 't', password: 'new-password-1' })).resolves.toEqual({ userId: user.id });
    expect(users.passwordSet).toEqual(['hashed(new-password-1)']);
    await expect(service.resetPassword({ token: 't', password: 'new-password-1' })).rejects.toMatchObject({ code: 'INVALID_TOKEN' });
  });

  it('does not accept a verification token as a reset token', async () => {
    const { service, user, tokens } = setUp();
    tokens.live.set('t', { purpose: 'email_verification', userId: user.id, email: user.email });
    await expect(service.resetPassword({ token: 't', password: 'new-password-1' })).rejects.toMatchObject({ code: 'INVALID_TOKEN' });
  });

  it('commits nothing when the deadline passed during the hash', async () => {
    const { service, user, tokens } = setUp();
    tokens.live.set('t', { purpose: 'password_reset', userId: user.id, email: user.email });
    await expect(service.resetPassword({ token: 't', password: 'new-password-1' }, new Deadline(Date.now() - 1))).rejects.toMatchObject({
      code: 'UPSTREAM_TIMEOUT',
    });
  });
});

describe('AccountsService email verification', () => {
  it('says why it cannot send: no email, or already verified', async () => {
    await expect(setUp(userRow({ email: null })).service.requestEmailVerification(randomUUID())).rejects.toMatchObject({
      code: 'USER_NOT_FOUND',
    });
    const none = setUp(userRow({ email: null }));
    await expect(none.service.requestEmailVerification(none.user.id)).rejects.toMatchObject({ code: 'EMAIL_MISSING', status: 400 });
    const verified = setUp(userRow({ emailVerifiedAt: new Date() }));
    await expect(verified.service.requestEmailVerification(verified.user.id)).rejects.toMatchObject({ code: 'EMAIL_ALREADY_VERIFIED' });
  });

  it('queues a verification mail for an unverified email', async () => {
    const { service, user, mails } = setUp();
    await expect(service.requestEmailVerification(user.id)).resolves.toEqual({ accepted: true });
    expect(mails.queued).toEqual(['verify:alice@example.com']);
    expect(mails.sent).toEqual(mails.queued);
  });

  it('refuses a resend past ACCOUNT_MAIL_LIMIT with 429 and Retry-After, queuing nothing', async () => {
    const { service, user, mails } = setUp(userRow(), 2);
    await service.requestEmailVerification(user.id);
    await service.requestEmailVerification(user.id);
    const refused = await service.requestEmailVerification(user.id).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(AppError);
    expect(refused).toMatchObject({ status: 429, code: 'RATE_LIMITED' });
    expect((refused as AppError).retryAfter).toBeGreaterThan(3500);
    expect(mails.queued).toHaveLength(2);
  });
});

describe('AccountsService recovery, email change and deletion', () => {
  it('answers the same for an unknown email and mails only a known one', async () => {
    const { service, mails } = setUp();
    await expect(service.requestPasswordReset('nobody@example.com')).resolves.toEqual({ accepted: true });
    await expect(service.requestPasswordReset('ALICE@example.com')).resolves.toEqual({ accepted: true });
    expect(mails.queued).toEqual(['reset:alice@example.com']);
    expect(mails.sent).toEqual(mails.queued);
  });

  it('answers a reset request past ACCOUNT_MAIL_LIMIT like any other, and mails nothing for it', async () => {
    const { service, mails } = setUp(userRow(), 2);
    for (let i = 0; i < 4; i++) await expect(service.requestPasswordReset('alice@example.com')).resolves.toEqual({ accepted: true });
    expect(mails.queued).toEqual(['reset:alice@example.com', 'reset:alice@example.com']);
  });

  it('keeps a verified address that is "changed" to itself, and mails a new one unverified', async () => {
    const verifiedAt = new Date();
    const { service, user, mails } = setUp(userRow({ emailVerifiedAt: verifiedAt }));
    await expect(service.changeEmail({ userId: user.id, email: 'Alice@Example.com', currentPassword: 'old' })).resolves.toMatchObject({
      emailVerifiedAt: verifiedAt.toISOString(),
    });
    expect(mails.queued).toEqual([]);
    await expect(service.changeEmail({ userId: user.id, email: 'new@example.com', currentPassword: 'old' })).resolves.toMatchObject({
      email: 'new@example.com',
      emailVerifiedAt: null,
    });
    expect(mails.queued).toEqual(['verify:new@example.com']);
    expect(mails.sent).toEqual(mails.queued);
    // Whoever reads the old mailbox keeps no working link, of either kind.
    expect(mails.revoked).toEqual(['email_verification', 'password_reset']);
  });

  it('deletes only with the right password, then announces user.deleted', async () => {
    const { service, user, users, events } = setUp();
    await expect(service.delete({ userId: user.id, password: 'wrong' })).rejects.toMatchObject({ code: 'INVALID_CREDENTIALS' });
    expect(users.deleted).toEqual([]);
    await service.delete({ userId: user.id, password: 'old' });
    expect(users.deleted).toEqual([user.id]);
    expect(events.published).toEqual(['user.deleted']);
  });
});

describe('AccountsService.changePassword', () => {
  it('answers the credentials version the changing session continues under', async () => {
    const { service, user } = setUp();
    const change = (newPassword: string) => service.changePassword({ userId: user.id, currentPassword: 'old', newPassword });
    await expect(change('new-password-1')).resolves.toEqual({ credentialsVersion: 1 });
    await expect(change('new-password-2')).resolves.toEqual({ credentialsVersion: 2 });
  });
});

describe('AccountsService transactions', () => {
  const past = () => new Deadline(Date.now() - 1);

  it('commits and mails nothing for a request whose deadline passed', async () => {
    const { service, user, tokens, mails } = setUp();
    await expect(service.requestEmailVerification(user.id, past())).rejects.toMatchObject({ code: 'UPSTREAM_TIMEOUT' });
    await expect(service.requestPasswordReset(user.email!, past())).rejects.toMatchObject({ code: 'UPSTREAM_TIMEOUT' });
    tokens.live.set('t', { purpose: 'email_verification', userId: user.id, email: user.email });
    await expect(service.verifyEmail('t', past())).rejects.toMatchObject({ code: 'UPSTREAM_TIMEOUT' });
    expect(mails.sent).toEqual([]);
  });

  it('locks the user row before anything else an account change does', async () => {
    const { service, user, users, tokens } = setUp();
    tokens.live.set('v', { purpose: 'email_verification', userId: user.id, email: user.email });
    tokens.live.set('r', { purpose: 'password_reset', userId: user.id, email: user.email });
    await service.verifyEmail('v');
    await service.resetPassword({ token: 'r', password: 'new-password-1' });
    await service.changePassword({ userId: user.id, currentPassword: 'old', newPassword: 'new-password-2' });
    await service.requestPasswordReset(user.email!);
    expect(users.ops).toEqual([
      `lock ${user.id}`,
      'claim email_verification',
      `lock ${user.id}`,
      'claim password_reset',
      'set password',
      `lock ${user.id}`,
      'set password',
      `lock ${user.id}`,
      'queue reset:alice@example.com',
    ]);
  });

  it('mails a reset only to the address asked for, as the locked row has it: an email change meanwhile wins', async () => {
    const { service, user, users, mails } = setUp();
    const asked = user.email!;
    users.lockRow = async () => ({ ...user, email: 'moved@example.com' });
    await expect(service.requestPasswordReset(asked)).resolves.toEqual({ accepted: true });
    expect(mails.queued).toEqual([]);
  });

  it('refuses a reset link mailed to an address the account no longer has', async () => {
    const { service, user, users, tokens } = setUp();
    tokens.live.set('r', { purpose: 'password_reset', userId: user.id, email: 'old@example.com' });
    await expect(service.resetPassword({ token: 'r', password: 'new-password-1' })).rejects.toMatchObject({ code: 'INVALID_TOKEN' });
    expect(users.passwordSet).toEqual([]);
  });

  it('treats an account deleted before its transaction as gone: a reset request still answers 202', async () => {
    const { service, user, users, mails } = setUp();
    users.lockRow = async () => undefined;
    await expect(service.requestPasswordReset(user.email!)).resolves.toEqual({ accepted: true });
    await expect(service.requestEmailVerification(user.id)).rejects.toMatchObject({ code: 'USER_NOT_FOUND' });
    await expect(service.changePassword({ userId: user.id, currentPassword: 'old', newPassword: 'new-password-1' })).rejects.toMatchObject({
      code: 'USER_NOT_FOUND',
    });
    expect(mails.sent).toEqual([]);
  });
});
