import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { driverPool, queryInTime } from '#common/database';
import type { MailKind } from '#contracts/mail';
import type { UserView } from '#contracts/user';
import type { Pool } from 'pg';
import type { EntityManager, Repository } from 'typeorm';
import type { PendingMail } from '../outbox/outbox.repository.js';
import { User } from './user.entity.js';

// Fixed statements by primary key: building them with findOneBy() cost more CPU
// than PostgreSQL spent running them (35 % of the user service's time per GET /me).
const SELECT_VIEW = `
  SELECT id, username, email,
         to_char(email_verified_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS "emailVerifiedAt",
         to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS "createdAt",
         to_char(last_login_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS "lastLoginAt"
    FROM users`;
const SELECT_VIEW_BY_ID = `${SELECT_VIEW} WHERE id = $1`;
const SELECT_VIEWS_BY_IDS = `${SELECT_VIEW} WHERE id = ANY($1::uuid[])`;

/** A whole row, as a User. */
const USER_COLUMNS = `id, username, email, email_verified_at AS "emailVerifiedAt", password_hash AS "passwordHash",
  credentials_version AS "credentialsVersion", created_at AS "createdAt", last_login_at AS "lastLoginAt"`;
const SELECT_USER_BY_ACCOUNT = `SELECT ${USER_COLUMNS} FROM users WHERE lower(username) = $1`;
const SELECT_USER_BY_ID = `SELECT ${USER_COLUMNS} FROM users WHERE id = $1`;
// The caller's id for the account, or the database's (a gateway from before it sends none).
const INSERT_USER = `INSERT INTO users (id, username, email, password_hash)
  VALUES (COALESCE($4::uuid, gen_random_uuid()), $1, $2, $3) RETURNING ${USER_COLUMNS}`;
// The account, its link's token (hashed) and the outbox row of the mail that carries the link, as one statement.
const INSERT_USER_WITH_LINK = `
  WITH new_user AS (
    INSERT INTO users (id, username, email, password_hash)
    VALUES (COALESCE($9::uuid, gen_random_uuid()), $1, $2, $3) RETURNING ${USER_COLUMNS}
  ), link AS (
    INSERT INTO account_tokens (user_id, purpose, token_hash, email, expires_at)
    SELECT id, $4, $5, email, now() + make_interval(secs => $6) FROM new_user
    RETURNING expires_at
  ), mail AS (
    INSERT INTO mail_outbox (user_id, kind, recipient, username, token, expires_at, next_attempt_at)
    SELECT new_user.id, $4, new_user.email, new_user.username, $7, link.expires_at, now() + make_interval(secs => $8 / 1000.0)
      FROM new_user, link
    RETURNING id, expires_at
  )
  SELECT new_user.*, mail.id AS "mailId", mail.expires_at AS "mailExpiresAt" FROM new_user, mail`;
// Only an account that is still as its registration left it: never logged in, its password never changed.
const DISCARD_NEW_USER = `
  DELETE FROM users
   WHERE id = $1 AND last_login_at IS NULL AND credentials_version = 0 AND created_at > now() - make_interval(secs => $2)`;
const RECORD_LOGIN = `UPDATE users SET last_login_at = GREATEST(COALESCE(last_login_at, $2), $2) WHERE id = $1`;

/** `id` null: the database chooses one. */
export type NewUser = Pick<User, 'username' | 'email' | 'passwordHash'> & { id: string | null };

/** A link mailed to a new account's address, written with the account. */
export interface AccountLink {
  kind: MailKind;
  token: string;
  tokenHash: string;
  ttlSeconds: number;
  /** The outbox row is leased to its writer for this long: the writer sends it once committed. */
  leaseMs: number;
}

/** Every statement the user service runs on its `users` table, and the one that writes a new account with its first link. */
@Injectable()
export class UsersRepository {
  constructor(@InjectRepository(User) private readonly users: Repository<User>) {}

  /**
   * One INSERT ... RETURNING, atomic by itself; the unique indexes decide races
   * between concurrent registrations. `beforeSend` may still refuse it, once a connection is free.
   */
  async insert(fields: NewUser, beforeSend: () => void = () => undefined): Promise<User> {
    const { id, username, email, passwordHash } = fields;
    const query = { name: 'insert-user', text: INSERT_USER, values: [username, email, passwordHash, id] };
    const { rows } = await queryInTime<User>(this.pool, beforeSend, query);
    return rows[0];
  }

  /** The same with a link to the account's email: one statement, instead of a transaction's five round trips. */
  async insertWithLink(
    fields: NewUser & { email: string },
    link: AccountLink,
    beforeSend: () => void,
  ): Promise<{ user: User; mail: PendingMail }> {
    const { id, username, email, passwordHash } = fields;
    const values = [username, email, passwordHash, link.kind, link.tokenHash, link.ttlSeconds, link.token, link.leaseMs, id];
    const query = { name: 'insert-user-with-link', text: INSERT_USER_WITH_LINK, values };
    const { rows } = await queryInTime<User & { mailId: string; mailExpiresAt: Date }>(this.pool, beforeSend, query);
    const { mailId, mailExpiresAt, ...user } = rows[0];
    const { kind, token } = link;
    return { user, mail: { id: mailId, userId: user.id, kind, recipient: email, username, token, expiresAt: mailExpiresAt, attempts: 0 } };
  }

  transaction<T>(work: (db: EntityManager) => Promise<T>): Promise<T> {
    return this.users.manager.transaction(work);
  }

  /** The row, locked as its UPDATEs would lock it (not against new rows that reference it); undefined if there is none. */
  async lockRow(db: EntityManager, id: string): Promise<User | undefined> {
    const rows: User[] = await db.query(`SELECT ${USER_COLUMNS} FROM users WHERE id = $1 FOR NO KEY UPDATE`, [id]);
    return rows[0];
  }

  /** A whole row by id (a refresh's owner check, an account change's first read): a named statement, as for login. */
  async findById(id: string): Promise<User | null> {
    const { rows } = await this.pool.query<User>({ name: 'user-by-id', text: SELECT_USER_BY_ID, values: [id] });
    return rows[0] ?? null;
  }

  findByEmail(email: string): Promise<User | null> {
    return this.users.createQueryBuilder('user').where('lower(user.email) = lower(:email)', { email }).getOne();
  }

  /** Only if the stored email is still `email`: a link for an address the user has since replaced proves nothing. */
  async markEmailVerified(db: EntityManager, id: string, email: string): Promise<User | undefined> {
    const [rows]: [User[], number] = await db.query(
      `UPDATE users SET email_verified_at = now() WHERE id = $1 AND lower(email) = lower($2) RETURNING ${USER_COLUMNS}`,
      [id, email],
    );
    return rows[0];
  }

  /** Counts the change: the sessions begun before it can no longer refresh. Answers the new count. */
  async setPasswordHash(db: EntityManager, id: string, passwordHash: string): Promise<number> {
    const [rows]: [{ credentials_version: number }[], number] = await db.query(
      `UPDATE users SET password_hash = $2, credentials_version = credentials_version + 1 WHERE id = $1 RETURNING credentials_version`,
      [id, passwordHash],
    );
    return rows[0].credentials_version;
  }

  /** The same password at another cost: only if the hash is still `oldHash` (a change meanwhile wins), and no version bump. */
  async replacePasswordHash(id: string, oldHash: string, passwordHash: string): Promise<void> {
    await this.users.update({ id, passwordHash: oldHash }, { passwordHash });
  }

  /** A new address is unproven until its own link is followed. */
  async setEmail(db: EntityManager, id: string, email: string): Promise<void> {
    await db.update(User, { id }, { email, emailVerifiedAt: null });
  }

  /**
   * A registration undone because its client was never told of it: only an
   * account made within `withinSeconds` and untouched since. Tokens and unsent
   * mails go with it (ON DELETE CASCADE).
   */
  async discardNew(id: string, withinSeconds: number): Promise<boolean> {
    const { rowCount } = await this.pool.query({ name: 'discard-new-user', text: DISCARD_NEW_USER, values: [id, withinSeconds] });
    return (rowCount ?? 0) > 0;
  }

  /** Tokens and outbox rows go with it (ON DELETE CASCADE). */
  async delete(db: EntityManager, id: string): Promise<boolean> {
    return ((await db.delete(User, { id })).affected ?? 0) > 0;
  }

  /** By username, case-insensitively (`account` is already lower case): every login's lookup, so a named statement. */
  async findByAccount(account: string): Promise<User | null> {
    const { rows } = await this.pool.query<User>({ name: 'user-by-account', text: SELECT_USER_BY_ACCOUNT, values: [account] });
    return rows[0] ?? null;
  }

  /**
   * Straight on the driver's pool, as named statements: PostgreSQL parses and
   * plans them once per connection instead of once per GET /me, and TypeORM's
   * query runner (a pool checkout and release around it) is not in the way.
   */
  async findViewById(id: string): Promise<UserView | undefined> {
    const { rows } = await this.pool.query<UserView>({ name: 'user-view-by-id', text: SELECT_VIEW_BY_ID, values: [id] });
    return rows[0];
  }

  /** The users among `ids` that exist, in no particular order. */
  async findViewsByIds(ids: readonly string[]): Promise<UserView[]> {
    const { rows } = await this.pool.query<UserView>({ name: 'user-views-by-ids', text: SELECT_VIEWS_BY_IDS, values: [ids] });
    return rows;
  }

  private get pool(): Pool {
    return driverPool(this.users.manager.connection);
  }

  /** Events may arrive out of order: keep the latest time. */
  async recordLogin(userId: string, at: string): Promise<void> {
    await this.pool.query({ name: 'record-login', text: RECORD_LOGIN, values: [userId, at] });
  }
}
