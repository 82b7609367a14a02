import { createTransport, type SendMailOptions } from 'nodemailer';
import type { MailConfig } from '../mail.config.js';

/** Injection token of the SMTP transport; unit specs put a fake here. */
export const SMTP_TRANSPORT = Symbol('SMTP_TRANSPORT');

/** SMTP connections kept open, each carrying one mail at a time; the sender queues for them. */
export const SMTP_CONNECTIONS = 2;

/** The part of nodemailer's transporter the sender uses. */
export interface SmtpTransport {
  sendMail(mail: SendMailOptions): Promise<{ messageId: string }>;
  verify(): Promise<true>;
  close(): void;
}

/**
 * A small pool of SMTP connections, kept open between mails, rather than a
 * connection (TCP, greeting, EHLO, QUIT) per mail when registrations come in
 * bursts. A server that closed or went down is connected to again by the
 * next send. Every timeout is bounded so a silent server fails the call (503)
 * long before nodemailer's minutes-long defaults.
 */
export function smtpTransport(config: MailConfig): SmtpTransport {
  const timeout = config.SMTP_TIMEOUT_MS;
  return createTransport(
    {
      url: config.SMTP_URL,
      pool: true,
      maxConnections: SMTP_CONNECTIONS,
      // nodemailer's default (100) closes a connection and opens another every 100 mails; a
      // server that limits messages per connection closes it itself, and the next send reconnects.
      maxMessages: Infinity,
      connectionTimeout: timeout,
      greetingTimeout: timeout,
      socketTimeout: timeout,
      dnsTimeout: timeout,
    },
    { from: config.MAIL_FROM },
  );
}
