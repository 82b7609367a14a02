import type { NoPayload } from '../rpc/wire.js';
import type { MailSent, SendMailDto } from './send-mail.dto.js';

/** Injection token of the user service's client for the mail service. */
export const MAIL_SERVICE = Symbol('MAIL_SERVICE');

export const MailPatterns = {
  Send: 'mail.send',
  Health: 'mail.health',
} as const;

/** What the mail service answers to each pattern. */
export type MailMessages = {
  [MailPatterns.Send]: { payload: SendMailDto; reply: MailSent };
  [MailPatterns.Health]: { payload: NoPayload; reply: { smtp: 'up' } };
};

/** The mail service consumes no events. */
export type MailEventPayloads = Record<never, never>;
