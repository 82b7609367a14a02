import { jest } from '@jest/globals';
import { Logger } from '@nestjs/common';
import { AppError } from '#common';
import type { SendMailDto } from '#contracts';
import type { SendMailOptions } from 'nodemailer';
import { MailConfig } from '../mail.config.js';
import { MailRenderer } from './mail.renderer.js';
import { MailSender } from './mail.sender.js';
import type { SmtpTransport } from './smtp-transport.js';

/** nodemailer's transporter, failing the way it does when told to. */
class FakeSmtp implements SmtpTransport {
  readonly sent: SendMailOptions[] = [];
  failure?: Error;
  verifyResult: () => Promise<true> = () => Promise.resolve(true);

  async sendMail(mail: SendMailOptions): Promise<{ messageId: string }> {
    if (this.failure) throw this.failure;
    this.sent.push(mail);
    return { messageId: String(mail.messageId) };
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
    await expect(sender.send(mail)).resolves.toEqual({ messageId: `<${mail.id}@gatehouse>` });
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
    const error = await sender.send(mail).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AppError);
    expect(error).toMatchObject({ code: 'SERVICE_UNAVAILABLE', status: 503 });
    expect(warn).toHaveBeenCalledTimes(1);
    const logged = String(warn.mock.calls[0][0]);
    expect(logged).toContain(mail.id);
    expect(logged).toContain((failure as unknown as { code: string }).code);
    expect(logged).not.toContain(mail.token);
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
