import { SMTPServer } from 'smtp-server';

export interface SmtpSink {
  url: string;
  /** Mails accepted so far. */
  readonly accepted: number;
  stop(): Promise<void>;
}

/**
 * Where the benchmark's mail service delivers: an SMTP server on loopback
 * that accepts every mail and keeps none. Without one, every registration's
 * verification mail is retried for minutes, and those retries would be
 * measured as part of the scenarios.
 */
export async function startSmtpSink(port: number): Promise<SmtpSink> {
  let accepted = 0;
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    closeTimeout: 100,
    onData: (stream, _session, callback) => {
      stream.on('end', () => {
        accepted++;
        callback();
      });
      stream.resume();
    },
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  return {
    url: `smtp://127.0.0.1:${port}`,
    get accepted() {
      return accepted;
    },
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
