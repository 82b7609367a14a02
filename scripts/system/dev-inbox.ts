import { mkdir } from 'node:fs/promises';
import { MailDev } from 'maildev';
import { freePort } from './ports.js';

export interface DevInbox {
  /** Where the mail service sends: plain SMTP on loopback. */
  smtpUrl: string;
  /** The web inbox, where a newcomer reads the mails and clicks their links. */
  webUrl: string;
  stop(): Promise<void>;
}

/**
 * `npm start`'s development SMTP server and web inbox (MailDev), inside the
 * launcher's process, on 127.0.0.1 only. Mails are files in `dir`, so they
 * survive a restart like the accounts they belong to. A port left undefined
 * is a free one.
 */
export async function startDevInbox(options: { dir: string; smtpPort?: number; webPort?: number }): Promise<DevInbox> {
  await mkdir(options.dir, { recursive: true });
  const smtp = options.smtpPort ?? (await freePort());
  const web = options.webPort ?? (await freePort());
  const maildev = new MailDev({ smtp, web, ip: '127.0.0.1', webIp: '127.0.0.1', mailDirectory: options.dir, silent: true });
  await maildev.start();
  return {
    smtpUrl: `smtp://127.0.0.1:${smtp}`,
    webUrl: `http://127.0.0.1:${web}`,
    stop: () => maildev.stop(),
  };
}
