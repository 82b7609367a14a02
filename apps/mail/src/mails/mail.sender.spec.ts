import { setTimeout as sleep } from 'node:timers/promises';
import { jest } from '@jest/globals';
import { Logger } from '@nestjs/common';
import { AppError } from '#common/errors';
import { Deadline } from '#common/overload';
import type { SendMailDto } from '#contracts/mail';
import type { SendMailOptions } from 'nodemailer';
import { MailConfig } from '../mail.config.js';
import { MailRenderer } from './mail.renderer.js';
import { MailSender } from './mail.sender.js';
import { SMTP_CONNECTIONS, type SmtpTransport } from './smtp-transport.js';

/** nodemailer's transporter, failing the way it does when told to, or as slow as a test wants. */
class FakeSmtp implements SmtpTransport {
  /** Every mail handed over, accepted yet or not. */
  readonly handed: SendMailOptions[] = [];
  readonly sent: SendMailOptions[] = [];
  failure?: Error;
  /** Each mail handed over waits for `accept()`: a server slower than the mails arrive. */
  slow = false;
  private readonly waiting: Array<() => void> = [];
  verifyResult: () => Promise<true> = () => Promise.resolve(true);

  async sendMail(mail: SendMailOptions): Promise<{ messageId: string }> {
    this.handed.push(mail);
    if (this.slow) await new Promise<void>((resolve) => this.waiting.push(resolve));
    if (this.failure) throw this.failure;
    this.sent.push(mail);
    return { messageId: String(mail.messageId) };
  }

  /** Accepts the oldest mail still waiting. */
  accept(): void {
    this.waiting.shift()?.();
  }

  verify(): Promise<true> {
    return this.verifyResult();
  }

  close(): void {}
}

const smtpError = (message: string, fields: Record<string, unknown>) => Object.assign(new Error(message), fields);

const mail: SendMailDto = {
  id: '0b7e7d4e-3c1a-4c61-9a0e-4d0f5a8e2b11',
  kind: 'email_verification',
  to: 'alice@example.com',
  username: 'Alice',
  token: 'secret-token-0123456789',
  expiresAt: new Date(Date.now() + 3_600_000).toISOString(),
};
const mailTo = (to: string): SendMailDto => ({ ...mail, to });
const inMs = (ms: number) => new Deadline(Date.now() + ms);

let smtp: FakeSmtp;
let sender: MailSender;
let warn: jest.SpiedFunction<Logger['warn']>;

beforeEach(() => {
  smtp = new FakeSmtp();
  sender = new MailSender(new MailRenderer(Object.assign(new MailConfig(), { GATEWAY_PORT: 3000 })), smtp);
  warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
  jest.spyOn(Logger.prototype, 'log').mockImplementation(() => undefined);
});
afterEach(() => jest.restoreAllMocks());

describe('MailSender.send', () => {
  it('hands the rendered mail to SMTP with the outbox id as Message-ID, and replies with it', async () => {
    await expect(sender.send(mail, Deadline.none)).resolves.toEqual({ messageId: `<${mail.id}@gatehouse>` });
    expect(smtp.sent).toHaveLength(1);
    expect(smtp.sent[0]).toMatchObject({ to: mail.to, messageId: `<${mail.id}@gatehouse>` });
    expect(smtp.sent[0].text).toContain(mail.token);
    expect(smtp.sent[0].html).toContain(mail.token);
  });

  it.each([
    ['refused connection', smtpError('connect ECONNREFUSED 127.0.0.1:25', { code: 'ESOCKET', command: 'CONN' })],
    ['timeout', smtpError('Greeting never received', { code: 'ETIMEDOUT', command: 'CONN' })],
    ['rejected recipient', smtpError(`Can't send mail ${mail.token}`, { code: 'EENVELOPE', responseCode: 550, command: 'RCPT TO' })],
  ])('turns a %s into SERVICE_UNAVAILABLE for the relay to retry, logging no token', async (_, failure) => {
    smtp.failure = failure;
    const error = await sender.send(mail, Deadline.none).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AppError);
    expect(error).toMatchObject({ code: 'SERVICE_UNAVAILABLE', status: 503 });
    expect(warn).toHaveBeenCalledTimes(1);
    const logged = String(warn.mock.calls[0][0]);
    expect(logged).toContain(mail.id);
    expect(logged).toContain((failure as unknown as { code: string }).code);
    expect(logged).not.toContain(mail.token);
  });
});

describe('MailSender.send behind a slow SMTP server', () => {
  beforeEach(() => (smtp.slow = true));

  /** Fills every pooled connection with a mail the server has not accepted yet. */
  function busy(): Array<Promise<unknown>> {
    return Array.from({ length: SMTP_CONNECTIONS }, (_, i) => sender.send(mailTo(`busy${i}@example.com`), Deadline.none));
  }
  async function acceptAll(sends: Array<Promise<unknown>>): Promise<void> {
    for (let i = 0; i < sends.length; i++) smtp.accept();
    await Promise.allSettled(sends);
  }

  it('hands over one mail per pooled connection at a time; the next waits for a free one', async () => {
    const sends = [...busy(), sender.send(mailTo('next@example.com'), Deadline.none)];
    await sleep(0);
    expect(smtp.handed.map((m) => m.to)).toEqual(['busy0@example.com', 'busy1@example.com']);
    smtp.accept();
    await sleep(0);
    expect(smtp.handed.map((m) => m.to)).toContain('next@example.com');
    await acceptAll(sends);
    expect(smtp.sent).toHaveLength(3);
  });

  it('refuses at once with 503 SERVICE_OVERLOADED, and never hands it over, a mail that could not be accepted before its deadline', async () => {
    const sends = busy();
    // A send is guessed at 100 ms until measured: the mails ahead, then this one, take 200 ms.
    const late = sender.send(mailTo('late@example.com'), inMs(150)).catch((e: unknown) => e);
    const refused = await Promise.race([late, sleep(50, 'still waiting')]);
    expect(refused).toBeInstanceOf(AppError);
    expect(refused).toMatchObject({ status: 503, code: 'SERVICE_OVERLOADED', retryAfter: expect.any(Number) });
    await acceptAll(sends);
    expect(smtp.handed.map((m) => m.to)).not.toContain('late@example.com');
    // Not an SMTP failure: nothing to warn about beyond the refusal the caller gets.
    expect(warn).not.toHaveBeenCalled();
  });

  it('drops, never hands over, a queued mail whose deadline drew too near before a connection was free', async () => {
    const sends = busy();
    const queued = sender.send(mailTo('queued@example.com'), inMs(400)).catch((e: unknown) => e);
    // Admitted (200 ms of work fits in 400), but the server takes 300 ms: 100 ms left is less than a send.
    await sleep(300);
    await acceptAll(sends);
    await sleep(0);
    expect(smtp.handed.map((m) => m.to)).not.toContain('queued@example.com');
    expect(await queued).toMatchObject({ status: 503, code: 'SERVICE_OVERLOADED' });
  });
});

describe('MailSender.health', () => {
  it('is up when the SMTP server accepts a connection', async () => {
    await expect(sender.health()).resolves.toEqual({ smtp: 'up' });
  });

  it('is SERVICE_UNAVAILABLE when it refuses', async () => {
    smtp.verifyResult = () => Promise.reject(smtpError('connect ECONNREFUSED', { code: 'ESOCKET' }));
    await expect(sender.health()).rejects.toMatchObject({ code: 'SERVICE_UNAVAILABLE' });
  });

  it('is SERVICE_UNAVAILABLE within its short timeout when the server never answers', async () => {
    jest.useFakeTimers();
    try {
      smtp.verifyResult = () => new Promise<true>(() => undefined);
      const health = sender.health();
      jest.advanceTimersByTime(2_000);
      await expect(health).rejects.toMatchObject({ code: 'SERVICE_UNAVAILABLE' });
    } finally {
      jest.useRealTimers();
    }
  });
});
