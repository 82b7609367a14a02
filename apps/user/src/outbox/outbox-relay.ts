import { Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { AppError, reasonOf } from '#common/errors';
import { MailPatterns } from '#contracts/mail';
import { Counter, Gauge } from 'prom-client';
import { UserConfig } from '../user.config.js';
import { MailClient } from './mail.client.js';
import { OutboxRepository, type PendingMail } from './outbox.repository.js';

const delivered = new Counter({
  name: 'outbox_mails_delivered_total',
  help: 'Outbox mails the mail service acknowledged',
  labelNames: ['kind'],
});
const failedAttempts = new Counter({
  name: 'outbox_delivery_failures_total',
  help: 'Failed delivery attempts of outbox mails (each is retried with backoff)',
  labelNames: ['kind', 'code'],
});
const abandoned = new Counter({ name: 'outbox_mails_expired_total', help: 'Outbox mails dropped undelivered because their link expired' });
const pending = new Gauge({ name: 'outbox_mails_pending', help: 'Outbox mails not yet delivered, as of the last poll' });

const BATCH = 10;

/** 1 s, 2 s, 4 s, … up to the cap: a mail service that is down is not hammered, and is retried soon after it is back. */
export function backoffMs(attempts: number, capMs: number): number {
  return Math.min(capMs, 1000 * 2 ** Math.min(attempts, 20));
}

/**
 * Delivers the outbox: sends each mail with `mail.send` as soon as the commit
 * that adds it is done, polls for the mails that are due again, and retries
 * failures with backoff until acknowledged or their link has expired. A mail
 * service or SMTP server that is down delays mail; it never loses it.
 */
@Injectable()
export class OutboxRelay implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(OutboxRelay.name);
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private again = false;
  private stopped = false;
  /** Mails sent straight after their commit, still in flight. */
  private readonly sending = new Set<Promise<void>>();

  constructor(
    private readonly outbox: OutboxRepository,
    private readonly mail: MailClient,
    private readonly config: UserConfig,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => this.poll(), this.config.OUTBOX_POLL_MS);
    this.timer.unref();
    this.poll();
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    await Promise.all([this.running, ...this.sending]);
  }

  /** How long a mail is kept from other relays while one sends it; it outlasts one send. */
  get leaseMs(): number {
    return this.config.MAIL_TIMEOUT_MS * 2;
  }

  /**
   * A mail just committed under this process's lease (`leaseMs`): sent now,
   * without claiming it. If this process stops first, the lease runs out and a
   * poll, here after a restart or in another replica, delivers it.
   */
  sendNow(mail: PendingMail): void {
    if (this.stopped) return;
    const sending = this.deliver(mail)
      .catch((error: unknown) => this.logger.warn(`Outbox mail ${mail.id} left to the poll: ${reasonOf(error)}`))
      .finally(() => this.sending.delete(sending));
    this.sending.add(sending);
  }

  /** Deliver what is due now and recount the pending gauge; a poll while a round runs starts another right after it. */
  poll(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.deliverDue()
      .catch((error: unknown) => this.logger.warn(`Outbox poll failed: ${reasonOf(error)}`))
      .finally(() => {
        this.running = undefined;
        if (this.again) {
          this.again = false;
          this.poll();
        }
      });
  }

  private async deliverDue(): Promise<void> {
    let batch: PendingMail[];
    do {
      batch = await this.outbox.claimDue(BATCH, this.leaseMs);
      // Every delivery of the batch ends before the round does (shutdown waits for the round), even when one fails.
      const failed = (await Promise.allSettled(batch.map((mail) => this.deliver(mail)))).find((result) => result.status === 'rejected');
      if (failed) throw failed.reason;
      if (this.stopped) return;
      // A short batch was all that was due: asking again would cost a statement per mail.
    } while (batch.length === BATCH);
    pending.set(await this.outbox.pendingCount());
  }

  private async deliver(mail: PendingMail): Promise<void> {
    if (mail.expiresAt.getTime() <= Date.now()) {
      abandoned.inc();
      this.logger.warn(`Outbox mail ${mail.id} (${mail.kind}) expired after ${mail.attempts} attempts; dropped`);
      return this.outbox.abandon(mail.id);
    }
    try {
      const payload = { id: mail.id, kind: mail.kind, to: mail.recipient, username: mail.username, token: mail.token };
      await this.mail.send(MailPatterns.Send, { ...payload, expiresAt: mail.expiresAt.toISOString() });
    } catch (error) {
      const code = error instanceof AppError ? error.code : 'UNKNOWN';
      const retryIn = backoffMs(mail.attempts, this.config.OUTBOX_MAX_BACKOFF_MS);
      failedAttempts.inc({ kind: mail.kind, code });
      this.logger.warn(
        `Outbox mail ${mail.id} (${mail.kind}) not delivered (${code}, attempt ${mail.attempts + 1}); retry in ${retryIn} ms`,
      );
      return this.outbox.markFailed(mail.id, retryIn, code);
    }
    delivered.inc({ kind: mail.kind });
    await this.outbox.markSent(mail.id);
  }
}
