import { randomUUID } from 'node:crypto';
import { logsFlushed } from '../support/logs.js';
import { createServer, type AddressInfo } from 'node:net';
import { startApp, type AppProcess } from '../../scripts/system/app-process.js';
import { freePorts } from '../../scripts/system/ports.js';
import { projectRoot } from '../../scripts/system/system.js';
import { SmtpInbox } from '../support/smtp-inbox.js';
import { callPattern } from '../support/tcp-peer.js';

// The mail service as its own OS process, over real TCP, against a real SMTP server.
const PUBLIC_URL = 'https://gatehouse.example/app';
let inbox: SmtpInbox;
let mail: AppProcess;
let port: number;
let metricsPort: number;
const logs: string[] = [];

beforeAll(async () => {
  inbox = await SmtpInbox.start();
  [port, metricsPort] = await freePorts(2);
  mail = await startApp({
    root: projectRoot(),
    name: 'mail',
    env: {
      NODE_ENV: 'test',
      LOG_FORMAT: 'json',
      SMTP_URL: inbox.url,
      PUBLIC_URL,
      MAIL_PORT: String(port),
      MAIL_METRICS_PORT: String(metricsPort),
    },
    log: (_, line) => logs.push(line),
  });
});
afterAll(async () => {
  await mail?.stop();
  await inbox?.stop();
});

function sendMail(overrides: Record<string, unknown> = {}) {
  const payload = {
    id: randomUUID(),
    kind: 'email_verification',
    to: `${randomUUID().slice(0, 8)}@example.com`,
    username: 'Alice',
    // Not base64url on purpose: the link must carry it URL-encoded.
    token: `tok+${randomUUID()}/=&x`,
    expiresAt: new Date(Date.now() + 86_400_000).toISOString(),
    ...overrides,
  };
  return { payload, reply: callPattern(port, 'mail.send', payload) };
}

/** `mail_sent_total` for verification mails, from the service's metrics port. */
async function mailsCounted(outcome: 'sent' | 'failed'): Promise<number> {
  const body = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
  const line = body.split('\n').find((l) => l.startsWith(`mail_sent_total{kind="email_verification",outcome="${outcome}"`));
  return line ? Number(line.split(' ').pop()) : 0;
}

describe('mail.send', () => {
  it('delivers a verification mail with its link, Message-ID and both parts, and replies with the Message-ID', async () => {
    const { payload, reply } = sendMail({ username: '<b>Mallory</b> & co' });
    expect((await reply).response).toEqual({ messageId: `<${payload.id}@gatehouse>` });

    const received = await inbox.waitFor((m) => m.to === payload.to);
    expect(received.messageId).toBe(`<${payload.id}@gatehouse>`);
    expect(received.link).toBe(`${PUBLIC_URL}/email/verify?token=${encodeURIComponent(payload.token)}`);
    expect(received.token).toBe(payload.token);
    expect(received.text).toContain('Hello <b>Mallory</b> & co');
    expect(received.text).toContain('expires in 24 hours');
    expect(received.html).toContain('Hello &lt;b&gt;Mallory&lt;/b&gt; &amp; co');
    expect(received.html).not.toContain('<b>Mallory');
    expect(received.html).toContain(`href="${PUBLIC_URL}/email/verify?token=${encodeURIComponent(payload.token)}"`);
  });

  it('delivers a password reset mail whose link leads to /password/reset', async () => {
    const expiresAt = new Date(Date.now() + 1_800_000).toISOString();
    const { payload, reply } = sendMail({ kind: 'password_reset', expiresAt });
    expect((await reply).err).toBeUndefined();
    const received = await inbox.waitFor((m) => m.to === payload.to);
    expect(received.subject).toMatch(/reset/i);
    expect(received.link).toBe(`${PUBLIC_URL}/password/reset?token=${encodeURIComponent(payload.token)}`);
    expect(received.text).toContain('expires in 30 minutes');
  });

  it.each([
    ['an unknown kind', { kind: 'newsletter' }],
    ['a bad address', { to: 'not-an-address' }],
    ['a short token', { token: 'abc' }],
    ['an id that is not a uuid', { id: 'x' }],
    ['a bad expiry', { expiresAt: 'tomorrow' }],
  ])('answers 400 VALIDATION_FAILED to %s, and sends nothing', async (_, overrides) => {
    const before = inbox.mails.length;
    const { reply } = sendMail(overrides);
    expect((await reply).err).toMatchObject({ status: 400, code: 'VALIDATION_FAILED' });
    expect(inbox.mails.length).toBe(before);
  });

  it('never logs a token, sent or refused', async () => {
    const sent = sendMail();
    expect((await sent.reply).response).toBeDefined();
    const refused = sendMail({ to: 'nope' });
    expect((await refused.reply).err).toBeDefined();
    await logsFlushed();
    expect(logs.some((line) => line.includes(sent.payload.id))).toBe(true);
    expect(logs.filter((line) => line.includes(sent.payload.token) || line.includes(refused.payload.token))).toEqual([]);
  });
});

describe('with the SMTP server down', () => {
  afterEach(async () => {
    if (!inbox.listening) await inbox.restart();
  });

  it('fails fast with 503 SERVICE_UNAVAILABLE, reports it in mail.health, and sends again once it is back', async () => {
    expect((await callPattern(port, 'mail.health', {})).response).toEqual({ smtp: 'up' });
    const before = { sent: await mailsCounted('sent'), failed: await mailsCounted('failed') };
    await inbox.stop();

    const started = Date.now();
    const down = sendMail();
    expect((await down.reply).err).toMatchObject({ status: 503, code: 'SERVICE_UNAVAILABLE' });
    expect(Date.now() - started).toBeLessThan(3_000);
    expect((await callPattern(port, 'mail.health', {})).err).toMatchObject({ status: 503, code: 'SERVICE_UNAVAILABLE' });

    await inbox.restart();
    expect((await callPattern(port, 'mail.health', {})).response).toEqual({ smtp: 'up' });
    // The outbox relay's retry: the same record, so the same Message-ID.
    const retried = await callPattern(port, 'mail.send', down.payload);
    expect(retried.response).toEqual({ messageId: `<${down.payload.id}@gatehouse>` });
    const received = await inbox.waitFor((m) => m.to === down.payload.to);
    expect(received.messageId).toBe(`<${down.payload.id}@gatehouse>`);
    expect(await mailsCounted('failed')).toBe(before.failed + 1);
    expect(await mailsCounted('sent')).toBe(before.sent + 1);
  });
});

describe('with an SMTP server that accepts connections and never answers', () => {
  it('fails with 503 after SMTP_TIMEOUT_MS instead of hanging, and health says so', async () => {
    const silent = createServer(() => undefined);
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const [stuckPort] = await freePorts(1);
    const stuck = await startApp({
      root: projectRoot(),
      name: 'mail',
      env: {
        NODE_ENV: 'test',
        SMTP_URL: `smtp://127.0.0.1:${(silent.address() as AddressInfo).port}`,
        SMTP_TIMEOUT_MS: '500',
        MAIL_PORT: String(stuckPort),
        MAIL_METRICS_PORT: '0',
      },
      log: () => undefined,
    });
    try {
      const started = Date.now();
      const { payload } = sendMail();
      const reply = await callPattern(stuckPort, 'mail.send', payload, 5_000);
      expect(reply.err).toMatchObject({ status: 503, code: 'SERVICE_UNAVAILABLE' });
      expect(Date.now() - started).toBeLessThan(3_000);
      expect((await callPattern(stuckPort, 'mail.health', {}, 5_000)).err).toMatchObject({ code: 'SERVICE_UNAVAILABLE' });
    } finally {
      await stuck.stop();
      silent.close();
    }
  });
});
