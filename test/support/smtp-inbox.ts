import { simpleParser, type AddressObject } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { setTimeout as sleep } from 'node:timers/promises';
import { freePort } from '../../scripts/system/ports.js';

export interface ReceivedMail {
  /** The first address of the To header. */
  to: string;
  subject: string;
  text: string;
  html: string;
  /** With its angle brackets, as the header has it: `<id@gatehouse>`. */
  messageId: string;
  /** The first http(s) link of the plain text, and its `token` query parameter. */
  link?: string;
  token?: string;
}

export interface SmtpInboxOptions {
  /** How long the server takes to accept each mail once it has its data: a slow SMTP server, on purpose. */
  acceptDelayMs?: number;
}

/**
 * A real SMTP server for end-to-end tests (smtp-server + mailparser) on a free
 * port of 127.0.0.1, keeping every mail it accepted. `stop()` and `restart()`
 * (on the same port) let a test take it down and bring it back.
 */
export class SmtpInbox {
  readonly mails: ReceivedMail[] = [];
  private server: SMTPServer | undefined;

  private constructor(
    readonly port: number,
    private readonly options: SmtpInboxOptions,
  ) {}

  static async start(options: SmtpInboxOptions = {}): Promise<SmtpInbox> {
    const inbox = new SmtpInbox(await freePort(), options);
    await inbox.listen();
    return inbox;
  }

  get listening(): boolean {
    return this.server !== undefined;
  }

  get url(): string {
    return `smtp://127.0.0.1:${this.port}`;
  }

  /** Resolves with the first mail (already received or still to come) that matches. */
  async waitFor(predicate: (mail: ReceivedMail) => boolean, timeoutMs = 10_000): Promise<ReceivedMail> {
    for (const end = Date.now() + timeoutMs; ; await sleep(25)) {
      const found = this.mails.find(predicate);
      if (found) return found;
      if (Date.now() > end) throw new Error(`no matching mail within ${timeoutMs} ms (received ${this.mails.length})`);
    }
  }

  /** Refuses connections from now on, and drops any open one. */
  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  async restart(): Promise<void> {
    await this.stop();
    await this.listen();
  }

  private listen(): Promise<void> {
    const server = new SMTPServer({
      authOptional: true,
      // Plain SMTP on loopback: no certificate to make, and nodemailer does not insist.
      disabledCommands: ['STARTTLS'],
      logger: false,
      closeTimeout: 100,
      onData: (stream, _session, callback) => {
        simpleParser(stream).then(
          async (parsed) => {
            if (this.options.acceptDelayMs) await sleep(this.options.acceptDelayMs);
            this.mails.push(toReceived(parsed));
            callback();
          },
          (error: Error) => callback(error),
        );
      },
    });
    this.server = server;
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, '127.0.0.1', () => resolve());
    });
  }
}

function toReceived(parsed: Awaited<ReturnType<typeof simpleParser>>): ReceivedMail {
  const to = [parsed.to ?? []].flat() as AddressObject[];
  const text = parsed.text ?? '';
  const link = /https?:\/\/\S+/.exec(text)?.[0];
  return {
    to: to[0]?.value[0]?.address ?? '',
    subject: parsed.subject ?? '',
    text,
    html: parsed.html || '',
    messageId: parsed.messageId ?? '',
    link,
    token: link ? (new URL(link).searchParams.get('token') ?? undefined) : undefined,
  };
}
