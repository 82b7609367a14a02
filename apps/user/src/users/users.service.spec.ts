import { setTimeout as sleep } from 'node:timers/promises';
import { randomUUID } from 'node:crypto';
import { AppError } from '#common/errors';
import { Limits } from '#common/limits';
import { Deadline } from '#common/overload';
import { ErrorCode } from '#contracts/errors';
import type { RegisterUserDto, UserView } from '#contracts/user';
import { QueryFailedError } from 'typeorm';
import type { UserConfig } from '../user.config.js';
import { LoginThrottle } from './login-throttle.js';
import type { PasswordHasher } from './password-hasher.js';
import { EMAIL_UNIQUE_INDEX, ID_PRIMARY_KEY, User, USERNAME_UNIQUE_INDEX } from './user.entity.js';
import { UserViewsLoader } from './user-views.loader.js';
import { toUserView } from './user-view.js';
import type { AccountLink, NewUser, UsersRepository } from './users.repository.js';
import type { AccountMails } from '../accounts/account-mails.js';
import type { UserEventsPublisher } from '../outbox/mail.client.js';
import { UsersService } from './users.service.js';

const LOGIN_MAX_FAILURES = 3;
const config = { LOGIN_MAX_FAILURES, LOGIN_FAILURE_WINDOW_SECONDS: 60 } as UserConfig;

/** The `users` table in memory, with the links written alongside. A row exists only once `beforeSend` has let its statement go. */
class FakeUsers {
  readonly rows: User[] = [];
  readonly links: Array<{ userId: string; link: AccountLink }> = [];
  readonly accountsLookedUp: string[] = [];
  readonly idsLookedUp: string[] = [];
  readonly logins: Array<[string, string]> = [];
  /** What the next INSERT fails with, as PostgreSQL would have it. */
  insertFailure?: unknown;
  /** How long an INSERT takes once sent: a slow commit. */
  commitMs = 0;
  readonly discarded: string[] = [];

  async insert(fields: NewUser, beforeSend: () => void = () => undefined): Promise<User> {
    beforeSend();
    if (this.commitMs > 0) await sleep(this.commitMs);
    const failure = this.insertFailure;
    this.insertFailure = undefined;
    if (failure) throw failure;
    const user = Object.assign(new User(), {
      ...fields,
      id: fields.id ?? randomUUID(),
      createdAt: new Date(),
      lastLoginAt: null,
      emailVerifiedAt: null,
      credentialsVersion: 0,
    });
    this.rows.push(user);
    return user;
  }

  async insertWithLink(fields: NewUser & { email: string }, link: AccountLink, beforeSend: () => void) {
    const user = await this.insert(fields, beforeSend);
    this.links.push({ userId: user.id, link });
    return { user, mail: { id: `mail-${user.id}`, userId: user.id, recipient: user.email, token: link.token } };
  }

  /** As the real statement: only an account never logged in and never given a new password. */
  async discardNew(id: string): Promise<boolean> {
    const index = this.rows.findIndex((row) => row.id === id && row.lastLoginAt === null && row.credentialsVersion === 0);
    if (index < 0) return false;
    this.rows.splice(index, 1);
    this.discarded.push(id);
    return true;
  }

  async findById(id: string): Promise<User | null> {
    this.idsLookedUp.push(id);
    return this.rows.find((row) => row.id === id) ?? null;
  }

  async findByAccount(account: string): Promise<User | null> {
    this.accountsLookedUp.push(account);
    return this.rows.find((user) => user.username.toLowerCase() === account) ?? null;
  }

  async findViewsByIds(ids: readonly string[]): Promise<UserView[]> {
    return this.rows.filter((row) => ids.includes(row.id)).map(toUserView);
  }

  async recordLogin(userId: string, at: string): Promise<void> {
    this.logins.push([userId, at]);
  }

  readonly rehashed: Array<[string, string, string]> = [];
  async replacePasswordHash(id: string, oldHash: string, passwordHash: string): Promise<void> {
    this.rehashed.push([id, oldHash, passwordHash]);
  }
}

/** Hands out verification links, and records which mails were handed on after the commit. */
class FakeMails {
  readonly sent: unknown[] = [];

  verificationLink(): AccountLink {
    return { kind: 'email_verification', token: 'raw', tokenHash: 'hashed', ttlSeconds: 60, leaseMs: 1_000 };
  }

  sendCommitted(mail: object | undefined): void {
    if (mail) this.sent.push(mail);
  }
}

class FakeEvents {
  readonly published: Array<[string, unknown]> = [];
  publish(event: string, payload: unknown): void {
    this.published.push([event, payload]);
  }
}

/** A reversible stand-in for bcrypt that remembers what it was asked to compare. */
class FakeHasher {
  readonly hashed: Array<{ password: string; deadline: Deadline }> = [];
  readonly compared: Array<{ password: string; hash: string | undefined }> = [];

  async hash(password: string, deadline: Deadline): Promise<string> {
    this.hashed.push({ password, deadline });
    return `hashed(${password})`;
  }

  async verify(password: string, hash: string | undefined): Promise<boolean> {
    this.compared.push({ password, hash });
    return hash !== undefined && (hash === `hashed(${password})` || hash === `old-cost(${password})`);
  }

  isOutdated(hash: string): boolean {
    return hash.startsWith('old-cost(');
  }

  idle = true;
  hasIdleSlot(): boolean {
    return this.idle;
  }

  /** Whether a caller would be refused with SERVICE_OVERLOADED now. */
  overloaded = false;
  assertAdmissible(): void {
    if (this.overloaded) throw new AppError(ErrorCode.ServiceOverloaded, 'The password hashing queue is full; try again later', 2);
  }
}

function setUp() {
  const users = new FakeUsers();
  const hasher = new FakeHasher();
  const mails = new FakeMails();
  const events = new FakeEvents();
  const service = new UsersService(
    users as unknown as UsersRepository,
    hasher as unknown as PasswordHasher,
    new LoginThrottle(config, Limits.inMemory()),
    mails as unknown as AccountMails,
    events as unknown as UserEventsPublisher,
    new UserViewsLoader(users as unknown as UsersRepository),
  );
  return { service, users, hasher, mails, events };
}

/** How PostgreSQL, through TypeORM, reports an INSERT that hit a unique index. */
function uniqueViolation(constraint: string): QueryFailedError {
  const driverError = Object.assign(new Error(`duplicate key value violates unique constraint "${constraint}"`), {
    code: '23505',
    constraint,
  });
  return new QueryFailedError('INSERT INTO "users" ...', [], driverError);
}

const alice: RegisterUserDto = { username: 'Alice', password: 'correct horse battery staple', email: 'alice@example.com' };

describe('UsersService.register', () => {
  it('hashes the password, inserts the hash and answers the view without it, with the credentials version', async () => {
    const { service, users, hasher } = setUp();
    const deadline = new Deadline(Date.now() + 60_000);

    const { credentialsVersion, ...view } = await service.register(alice, deadline);
    expect(credentialsVersion).toBe(0);

    expect(hasher.hashed).toEqual([{ password: alice.password, deadline }]);
    expect(users.rows).toHaveLength(1);
    expect(users.rows[0]).toMatchObject({ username: 'Alice', email: 'alice@example.com', passwordHash: `hashed(${alice.password})` });
    expect(view).toEqual({
      id: users.rows[0].id,
      username: 'Alice',
      email: 'alice@example.com',
      emailVerifiedAt: null,
      createdAt: expect.any(String),
      lastLoginAt: null,
    });
    expect(JSON.stringify(view)).not.toContain('hashed(');
  });

  it('writes the verification link with the account, sends its mail once written and announces user.registered', async () => {
    const { service, users, mails, events } = setUp();
    await service.register(alice);
    expect(users.links).toEqual([{ userId: users.rows[0].id, link: mails.verificationLink() }]);
    expect(mails.sent).toEqual([
      { id: `mail-${users.rows[0].id}`, userId: users.rows[0].id, recipient: 'alice@example.com', token: 'raw' },
    ]);
    expect(events.published).toEqual([
      ['user.registered', { userId: users.rows[0].id, username: 'Alice', email: 'alice@example.com', at: expect.any(String) }],
    ]);
  });

  it('writes no link without an email, and sends none for a registration that fails', async () => {
    const { service, users, mails, events } = setUp();
    await service.register({ username: 'bob', password: 'pw' });
    users.insertFailure = uniqueViolation(USERNAME_UNIQUE_INDEX);
    await expect(service.register(alice)).rejects.toMatchObject({ code: 'USERNAME_TAKEN' });
    expect(users.links).toEqual([]);
    expect(mails.sent).toEqual([]);
    expect(events.published).toHaveLength(1);
  });

  it('stores a missing email as null, and sends no mail', async () => {
    const { service, users, mails } = setUp();
    await expect(service.register({ username: 'bob', password: 'pw' })).resolves.toMatchObject({ email: null });
    expect(users.rows[0].email).toBeNull();
    expect(users.links).toEqual([]);
    expect(mails.sent).toEqual([]);
  });

  it('answers 409 USERNAME_TAKEN when the username index refuses the row', async () => {
    const { service, users } = setUp();
    users.insertFailure = uniqueViolation(USERNAME_UNIQUE_INDEX);
    await expect(service.register(alice)).rejects.toMatchObject({ status: 409, code: 'USERNAME_TAKEN' });
  });

  it('answers 409 EMAIL_TAKEN when the email index refuses the row', async () => {
    const { service, users } = setUp();
    users.insertFailure = uniqueViolation(EMAIL_UNIQUE_INDEX);
    await expect(service.register(alice)).rejects.toMatchObject({ status: 409, code: 'EMAIL_TAKEN' });
  });

  it('answers 400 VALIDATION_FAILED when the id the caller chose is in use', async () => {
    const { service, users } = setUp();
    users.insertFailure = uniqueViolation(ID_PRIMARY_KEY);
    await expect(service.register(alice)).rejects.toMatchObject({
      status: 400,
      code: 'VALIDATION_FAILED',
      message: 'id is already in use',
    });
  });

  it('lets any other failure through untouched', async () => {
    const { service, users } = setUp();
    for (const failure of [uniqueViolation('users_other_key'), Object.assign(new Error('Connection terminated'), { code: 'ECONNRESET' })]) {
      users.insertFailure = failure;
      await expect(service.register(alice)).rejects.toBe(failure);
    }
  });

  it('does not commit the account once the caller has stopped waiting (504 UPSTREAM_TIMEOUT), with an email or without', async () => {
    const { service, users } = setUp();
    const passed = new Deadline(Date.now() - 1);
    await expect(service.register(alice, passed)).rejects.toMatchObject({ status: 504, code: 'UPSTREAM_TIMEOUT' });
    await expect(service.register({ ...alice, email: undefined }, passed)).rejects.toMatchObject({ code: 'UPSTREAM_TIMEOUT' });
    expect(users.rows).toHaveLength(0);
  });

  it('deletes an account whose commit outlasted the deadline, and neither mails nor announces it', async () => {
    const { service, users, mails, events } = setUp();
    users.commitMs = 120;
    const refused = service.register(alice, new Deadline(Date.now() + 60));
    await expect(refused).rejects.toMatchObject({ status: 504, code: 'UPSTREAM_TIMEOUT' });
    expect(users.discarded).toHaveLength(1);
    expect(users.rows).toHaveLength(0);
    expect(mails.sent).toEqual([]);
    expect(events.published).toEqual([]);
  });

  it('commits while the caller is still waiting, or when the call has no deadline', async () => {
    const { service, users } = setUp();
    await service.register(alice, new Deadline(Date.now() + 60_000));
    await service.register({ ...alice, username: 'alice2', email: undefined });
    expect(users.rows).toHaveLength(2);
  });
});

describe('UsersService.discardRegistration', () => {
  it('deletes a new account nobody was told of, and announces user.deleted', async () => {
    const { service, users, events } = setUp();
    const { id } = await service.register(alice);
    events.published.length = 0;
    await expect(service.discardRegistration(id)).resolves.toEqual({ discarded: true });
    expect(users.rows).toHaveLength(0);
    expect(events.published).toEqual([['user.deleted', { userId: id, at: expect.any(String) }]]);
  });

  it('leaves an account that has been used, or is gone, and announces nothing', async () => {
    const { service, users, events } = setUp();
    const { id } = await service.register(alice);
    users.rows[0].lastLoginAt = new Date();
    events.published.length = 0;
    await expect(service.discardRegistration(id)).resolves.toEqual({ discarded: false });
    await expect(service.discardRegistration(randomUUID())).resolves.toEqual({ discarded: false });
    expect(users.rows).toHaveLength(1);
    expect(events.published).toEqual([]);
  });
});

describe('UsersService.verifyCredentials', () => {
  async function withAlice() {
    const setup = setUp();
    await setup.service.register(alice);
    return setup;
  }

  it('matches the username case-insensitively, looking up the lower-cased account', async () => {
    const { service, users } = await withAlice();
    const owner = await service.verifyCredentials({ username: 'ALICE', password: alice.password });
    expect(owner).toMatchObject({ username: 'Alice', credentialsVersion: 0 });
    expect(JSON.stringify(owner)).not.toContain('hashed(');
    expect(users.accountsLookedUp).toEqual(['alice']);
  });

  it('under overload answers 503 SERVICE_OVERLOADED before looking anything up, whether or not the account exists', async () => {
    const { service, users, hasher } = await withAlice();
    hasher.overloaded = true;
    for (const username of ['alice', 'mallory'])
      await expect(service.verifyCredentials({ username, password: alice.password })).rejects.toMatchObject({
        status: 503,
        code: 'SERVICE_OVERLOADED',
        retryAfter: 2,
      });
    expect(users.accountsLookedUp).toEqual([]);
    expect(hasher.compared).toEqual([]);
  });

  it('refuses a wrong password with 401 INVALID_CREDENTIALS', async () => {
    const { service } = await withAlice();
    await expect(service.verifyCredentials({ username: 'alice', password: 'wrong' })).rejects.toMatchObject({
      status: 401,
      code: 'INVALID_CREDENTIALS',
    });
  });

  it('still runs a (decoy) compare for an unknown user, and answers the same 401', async () => {
    const { service, hasher } = await withAlice();
    await expect(service.verifyCredentials({ username: 'mallory', password: 'guess' })).rejects.toMatchObject({
      status: 401,
      code: 'INVALID_CREDENTIALS',
    });
    expect(hasher.compared).toEqual([{ password: 'guess', hash: undefined }]);
  });

  it('after LOGIN_MAX_FAILURES failures refuses the account with 429 even with the right password, without comparing', async () => {
    const { service, hasher } = await withAlice();
    for (let i = 0; i < LOGIN_MAX_FAILURES; i++) {
      const username = i % 2 ? 'ALICE' : 'alice';
      await expect(service.verifyCredentials({ username, password: 'wrong' })).rejects.toMatchObject({ code: 'INVALID_CREDENTIALS' });
    }
    const compares = hasher.compared.length;
    await expect(service.verifyCredentials({ username: 'Alice', password: alice.password })).rejects.toMatchObject({
      status: 429,
      code: 'RATE_LIMITED',
      retryAfter: expect.any(Number),
    });
    expect(hasher.compared).toHaveLength(compares);
  });

  it('under overload answers a locked account 503, not 429: overload is told first, the lockout once a hash could run', async () => {
    const { service, hasher } = await withAlice();
    for (let i = 0; i < LOGIN_MAX_FAILURES; i++)
      await expect(service.verifyCredentials({ username: 'alice', password: 'wrong' })).rejects.toMatchObject({
        code: 'INVALID_CREDENTIALS',
      });
    hasher.overloaded = true;
    await expect(service.verifyCredentials({ username: 'alice', password: alice.password })).rejects.toMatchObject({
      status: 503,
      code: 'SERVICE_OVERLOADED',
    });
    hasher.overloaded = false;
    await expect(service.verifyCredentials({ username: 'alice', password: alice.password })).rejects.toMatchObject({
      status: 429,
      code: 'RATE_LIMITED',
    });
  });

  it('throttles unknown accounts the same way, and other accounts not at all', async () => {
    const { service } = await withAlice();
    for (let i = 0; i < LOGIN_MAX_FAILURES; i++)
      await service.verifyCredentials({ username: 'mallory', password: 'guess' }).catch(() => undefined);
    await expect(service.verifyCredentials({ username: 'mallory', password: 'guess' })).rejects.toMatchObject({ code: 'RATE_LIMITED' });
    await expect(service.verifyCredentials({ username: 'alice', password: alice.password })).resolves.toMatchObject({ username: 'Alice' });
  });

  it('forgets earlier failures after a success', async () => {
    const { service } = await withAlice();
    const fail = () =>
      expect(service.verifyCredentials({ username: 'alice', password: 'wrong' })).rejects.toMatchObject({ code: 'INVALID_CREDENTIALS' });
    for (let round = 0; round < 2; round++) {
      for (let i = 0; i < LOGIN_MAX_FAILURES - 1; i++) await fail();
      await expect(service.verifyCredentials({ username: 'alice', password: alice.password })).resolves.toMatchObject({
        username: 'Alice',
      });
    }
  });
});

describe('UsersService rehash on login', () => {
  it('hashes the password anew at the configured cost after a login with an outdated hash, and no session ends', async () => {
    const { service, users, hasher } = setUp();
    const user = await service.register(alice);
    users.rows[0].passwordHash = `old-cost(${alice.password})`;
    await expect(service.verifyCredentials({ username: 'alice', password: alice.password })).resolves.toMatchObject({
      credentialsVersion: 0,
    });
    await sleep(0);
    expect(users.rehashed).toEqual([[user.id, `old-cost(${alice.password})`, `hashed(${alice.password})`]]);
    expect(hasher.hashed.map(({ password }) => password)).toEqual([alice.password, alice.password]);
  });

  it('leaves an outdated hash for a later login while every hashing slot is taken', async () => {
    const { service, users, hasher } = setUp();
    await service.register(alice);
    users.rows[0].passwordHash = `old-cost(${alice.password})`;
    hasher.idle = false;
    await service.verifyCredentials({ username: 'alice', password: alice.password });
    await sleep(0);
    expect(users.rehashed).toEqual([]);
  });

  it('leaves a hash at the configured cost alone', async () => {
    const { service, users } = setUp();
    await service.register(alice);
    await service.verifyCredentials({ username: 'alice', password: alice.password });
    await sleep(0);
    expect(users.rehashed).toEqual([]);
  });
});

describe('UsersService.findSessionOwner', () => {
  it('answers the user and its current credentials version, or 404 once it is gone', async () => {
    const { service, users } = setUp();
    const registered = await service.register(alice);
    users.rows[0].credentialsVersion = 2;
    await expect(service.findSessionOwner(registered.id)).resolves.toEqual({ ...registered, credentialsVersion: 2 });
    users.rows.length = 0;
    await expect(service.findSessionOwner(registered.id)).rejects.toMatchObject({ status: 404, code: 'USER_NOT_FOUND' });
  });
});

describe('UsersService.checkPassword', () => {
  it('proves the password, and under overload answers 503 before looking the account up', async () => {
    const { service, users, hasher } = setUp();
    const { id } = await service.register(alice);
    await expect(service.checkPassword(id, alice.password, Deadline.none)).resolves.toMatchObject({ id });
    hasher.overloaded = true;
    await expect(service.checkPassword(id, alice.password, Deadline.none)).rejects.toMatchObject({ code: 'SERVICE_OVERLOADED' });
    expect(users.idsLookedUp).toEqual([id]);
  });
});

describe('UsersService.findById', () => {
  it('answers the view of a known user', async () => {
    const { service } = setUp();
    const { id, credentialsVersion } = await service.register(alice);
    await expect(service.findById(id)).resolves.toMatchObject({ id, username: 'Alice' });
    await expect(service.findById(id)).resolves.not.toHaveProperty('credentialsVersion', credentialsVersion);
  });

  it('answers 404 USER_NOT_FOUND for an unknown id', async () => {
    const { service } = setUp();
    await expect(service.findById(randomUUID())).rejects.toMatchObject({ status: 404, code: 'USER_NOT_FOUND' });
  });
});

describe('UsersService.recordLogin', () => {
  it('hands the login time to the repository', async () => {
    const { service, users } = setUp();
    await service.recordLogin({ userId: 'u1', at: '2026-11-23T00:00:00.000Z' });
    expect(users.logins).toEqual([['u1', '2026-11-23T00:00:00.000Z']]);
  });
});
