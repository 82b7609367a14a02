import { Injectable } from '@nestjs/common';
import type { MailKind } from '#contracts/mail';
import type { EntityManager } from 'typeorm';
import { OutboxRelay } from '../outbox/outbox-relay.js';
import { OutboxRepository, type PendingMail } from '../outbox/outbox.repository.js';
import type { User } from '../users/user.entity.js';
import { UserConfig } from '../user.config.js';
import type { AccountLink } from '../users/users.repository.js';
import { AccountTokensRepository, newToken } from './account-tokens.repository.js';

/**
 * What the user service mails, decided here and written in the caller's
 * transaction: a token and its outbox record commit (or roll back) with the
 * change that causes them. The caller hands the queued mail to
 * `sendCommitted` once committed.
 */
@Injectable()
export class AccountMails {
  constructor(
    private readonly tokens: AccountTokensRepository,
    private readonly outbox: OutboxRepository,
    private readonly relay: OutboxRelay,
    private readonly config: UserConfig,
  ) {}

  /** A link proving `user.email`, the address the account has now. */
  queueVerification(db: EntityManager, user: User): Promise<PendingMail | undefined> {
    return this.queue(db, user, 'email_verification', this.config.EMAIL_VERIFICATION_TTL);
  }

  /** The same for a new account, written with it in one statement (`UsersRepository.insertWithLink`). */
  verificationLink(): AccountLink {
    const ttlSeconds = this.config.EMAIL_VERIFICATION_TTL;
    return { kind: 'email_verification', ...newToken(), ttlSeconds, leaseMs: this.relay.leaseMs };
  }

  queuePasswordReset(db: EntityManager, user: User): Promise<PendingMail | undefined> {
    return this.queue(db, user, 'password_reset', this.config.PASSWORD_RESET_TTL);
  }

  /** Links of these kinds already mailed stop working, and those not yet sent are not sent. */
  async revokeOutstanding(db: EntityManager, userId: string, ...kinds: MailKind[]): Promise<void> {
    await this.tokens.revokeOutstanding(db, userId, kinds);
    await this.outbox.dropUnsent(db, userId, kinds);
  }

  /** After COMMIT: deliver now; the outbox record stands in if this process cannot. */
  sendCommitted(mail: PendingMail | undefined): void {
    if (mail) this.relay.sendNow(mail);
  }

  private async queue(db: EntityManager, user: User, kind: MailKind, ttlSeconds: number): Promise<PendingMail | undefined> {
    if (!user.email) return undefined;
    const { token, expiresAt } = await this.tokens.issue(db, user.id, kind, user.email, ttlSeconds);
    const mail = { userId: user.id, kind, recipient: user.email, username: user.username, token, expiresAt };
    return this.outbox.enqueue(db, mail, this.relay.leaseMs);
  }
}
