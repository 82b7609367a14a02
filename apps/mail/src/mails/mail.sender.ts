import { Inject, Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { Counter } from 'prom-client';
import { AppError } from '#common/errors';
import { Admission, type Deadline } from '#common/overload';
import { ErrorCode } from '#contracts/errors';
import type { MailSent, SendMailDto } from '#contracts/mail';
import { MailRenderer } from './mail.renderer.js';
import { SMTP_CONNECTIONS, SMTP_TRANSPORT, type SmtpTransport } from './smtp-transport.js';

const mails = new Counter({
  name: 'mail_sent_total',
  help: 'Mails handed to the SMTP server, by kind and outcome (sent, or failed and left to the caller to retry)',
  labelNames: ['kind', 'outcome'],
});

/** A health check answers within this, however slow the SMTP server is to greet. */
const HEALTH_TIMEOUT_MS = 2_000;
/** A first guess of one send's time (a server across a network), until measured sends replace it. */
const INITIAL_SEND_MS = 100;

/**
 * Hands rendered mails to the SMTP server. Any SMTP failure is a 503: the outbox relay retries it.
 *
 * A mail reaches nodemailer only when one of the pool's connections is free
 * for it, and only if it can be accepted before the caller's deadline; else
 * 503 SERVICE_OVERLOADED, and nothing was handed over. Without this nodemailer
 * would queue without limit, and a mail still queued when the relay stopped
 * waiting would be sent twice: by nodemailer, and again on the relay's retry.
 */
@Injectable()
export class MailSender implements OnApplicationShutdown {
  private readonly logger = new Logger(MailSender.name);
  // No margin: the caller's deadline already leaves time for the reply's trip back (replyAllowanceMs).
  private readonly queue = new Admission('smtp sends', SMTP_CONNECTIONS, INITIAL_SEND_MS);

  constructor(
    private readonly renderer: MailRenderer,
    @Inject(SMTP_TRANSPORT) private readonly smtp: SmtpTransport,
  ) {}

  async send(mail: SendMailDto, deadline: Deadline): Promise<MailSent> {
    const rendered = this.renderer.render(mail);
    // The outbox record's id: a retry after a lost reply is recognisably the same message.
    const messageId = `<${mail.id}@gatehouse>`;
    const message = { to: mail.to, subject: rendered.subject, text: rendered.text, html: rendered.html, messageId };
    try {
      await this.queue.run(deadline, () => this.smtp.sendMail(message));
    } catch (error) {
      // Refused by the queue, on arrival or before its turn: the SMTP server never saw it.
      if (error instanceof AppError) throw error;
      mails.inc({ kind: mail.kind, outcome: 'failed' });
      // Never the rendered mail or the error's full text: both may carry the token.
      this.logger.warn(`${mail.kind} mail ${mail.id} not accepted by the SMTP server: ${describeSmtpError(error)}`);
      throw new AppError(ErrorCode.ServiceUnavailable, 'The SMTP server did not accept the mail; try again later');
    }
    mails.inc({ kind: mail.kind, outcome: 'sent' });
    this.logger.log(`${mail.kind} mail ${mail.id} accepted by the SMTP server`);
    return { messageId };
  }

  /** Up when the SMTP server accepts a connection (and the login, if the URL has one). */
  async health(): Promise<{ smtp: 'up' }> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer within ${HEALTH_TIMEOUT_MS} ms`)), HEALTH_TIMEOUT_MS);
    });
    try {
      await Promise.race([this.smtp.verify(), timeout]);
      return { smtp: 'up' };
    } catch (error) {
      this.logger.warn(`SMTP server unreachable: ${describeSmtpError(error)}`);
      throw new AppError(ErrorCode.ServiceUnavailable, 'SMTP server unreachable');
    } finally {
      clearTimeout(timer);
    }
  }

  onApplicationShutdown(): void {
    this.smtp.close();
  }
}

/** nodemailer's error code and the server's reply code, which say what failed without echoing any content. */
export function describeSmtpError(error: unknown): string {
  if (!(error instanceof Error)) return 'unknown error';
  const { code, responseCode, command } = error as Error & { code?: string; responseCode?: number; command?: string };
  const parts = [code, responseCode && `reply ${responseCode}`, command && `to ${command}`].filter(Boolean);
  return parts.length > 0 ? parts.join(' ') : error.name;
}
