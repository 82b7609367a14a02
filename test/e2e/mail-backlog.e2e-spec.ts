// A backlog of mail at an SMTP server slower than the mails arrive, the whole system running:
// real processes, a real PostgreSQL, a real (slow on purpose) SMTP server.
import { setTimeout as sleep } from 'node:timers/promises';
import { freePorts } from '../../scripts/system/ports.js';
import { startGatehouse, STRONG_PASSWORD, uniqueName, type TestGatehouse } from '../support/gatehouse.js';
import { SmtpInbox } from '../support/smtp-inbox.js';

/** Over its two pooled connections the server accepts about 8 mails a second. */
const ACCEPT_DELAY_MS = 250;
/** The relay waits this long for each mail: about 8 fit in it, a third of the burst. */
const MAIL_TIMEOUT_MS = 1_000;
const MAILS = 30;

let inbox: SmtpInbox;
let gh: TestGatehouse;
/** Where the user and mail services serve their metrics. */
const metricsPort = { user: 0, mail: 0 };

beforeAll(async () => {
  inbox = await SmtpInbox.start({ acceptDelayMs: ACCEPT_DELAY_MS });
  [metricsPort.user, metricsPort.mail] = await freePorts(2);
  gh = await startGatehouse(
    {
      MAIL_TIMEOUT_MS: String(MAIL_TIMEOUT_MS),
      OUTBOX_POLL_MS: '200',
      OUTBOX_MAX_BACKOFF_MS: '1000',
      USER_METRICS_PORT: String(metricsPort.user),
      MAIL_METRICS_PORT: String(metricsPort.mail),
    },
    { smtp: inbox.url },
  );
}, 120_000);
afterAll(async () => {
  await gh?.stop();
  await inbox?.stop();
});

/** The sum of a metric's samples whose labels include `labels`, from an app's metrics port (0 before any). */
async function metric(port: number, name: string, labels = ''): Promise<number> {
  const body = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  return body
    .split('\n')
    .filter((line) => line.startsWith(`${name}{`) && line.includes(labels))
    .reduce((sum, line) => sum + Number(line.split(' ').pop()), 0);
}

it('delivers every mail of a backlog exactly once: what the SMTP server cannot accept in time is refused, not queued', async () => {
  const emails = Array.from({ length: MAILS }, () => `${uniqueName('bl')}@example.com`);
  const statuses = await Promise.all(
    emails.map(
      async (email) => (await gh.http.post('/register', { username: email.split('@')[0], password: STRONG_PASSWORD, email })).status,
    ),
  );
  expect(statuses).toEqual(emails.map(() => 201));

  // Every mail acknowledged to the relay, and none still in the mail service's hands: nothing more can arrive.
  const acknowledged = () => metric(metricsPort.user, 'outbox_mails_delivered_total');
  for (const end = Date.now() + 15_000; Date.now() < end; await sleep(100)) {
    if ((await acknowledged()) === MAILS && (await metric(metricsPort.mail, 'admission_pending', 'queue="smtp sends"')) === 0) break;
  }
  await sleep(2 * ACCEPT_DELAY_MS);

  const received = new Map<string, number>();
  for (const mail of inbox.mails) received.set(mail.to, (received.get(mail.to) ?? 0) + 1);
  expect(emails.map((email) => [email, received.get(email) ?? 0])).toEqual(emails.map((email) => [email, 1]));
  expect(await acknowledged()).toBe(MAILS);
  // The backlog was real: the mail service turned mails away, and the relay sent them again later.
  expect(await metric(metricsPort.user, 'outbox_delivery_failures_total', 'code="SERVICE_OVERLOADED"')).toBeGreaterThan(0);
  expect(await metric(metricsPort.mail, 'mail_sent_total', 'outcome="sent"')).toBe(MAILS);
});
