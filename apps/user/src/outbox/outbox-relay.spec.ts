import { setTimeout as sleep } from 'node:timers/promises';
import { AppError } from '#common/errors';
import type { UserConfig } from '../user.config.js';
import type { MailClient } from './mail.client.js';
import { backoffMs, OutboxRelay } from './outbox-relay.js';
import type { OutboxRepository, PendingMail } from './outbox.repository.js';

const config = { OUTBOX_POLL_MS: 60_000, OUTBOX_MAX_BACKOFF_MS: 30_000, MAIL_TIMEOUT_MS: 1_000 } as UserConfig;

function mail(fields: Partial<PendingMail> = {}): PendingMail {
  const expiresAt = new Date(Date.now() + 60_000);
  return {
    id: 'm1',
    userId: 'u1',
    kind: 'password_reset',
    recipient: 'a@example.com',
    username: 'a',
    token: 'tok',
    expiresAt,
    attempts: 0,
    ...fields,
  };
}

function setUp(due: PendingMail[], send: () => Promise<unknown>) {
  const calls: string[] = [];
  const outbox = {
    claimDue: async (limit: number) => (calls.push('claim'), due.splice(0, limit)),
    markSent: async (id: string) => void calls.push(`sent ${id}`),
    markFailed: async (id: string, retryIn: number, code: string) => void calls.push(`failed ${id} ${retryIn} ${code}`),
    abandon: async (id: string) => void calls.push(`abandoned ${id}`),
    pendingCount: async () => (calls.push('count'), 0),
  };
  const sent: unknown[] = [];
  const client = { send: async (_pattern: string, payload: unknown) => (sent.push(payload), send()) };
  const relay = new OutboxRelay(outbox as unknown as OutboxRepository, client as unknown as MailClient, config);
  return { relay, calls, sent };
}

/** A poll, then the relay's own pace: its fakes answer at once, so one timer turn is enough for the whole round. */
async function run(relay: OutboxRelay): Promise<void> {
  relay.poll();
  await sleep(10);
}

async function round(relay: OutboxRelay): Promise<void> {
  relay.poll();
  await relay.onApplicationShutdown();
}

describe('backoffMs', () => {
  it('doubles from one second up to the cap', () => {
    expect([0, 1, 2, 3].map((attempts) => backoffMs(attempts, 30_000))).toEqual([1_000, 2_000, 4_000, 8_000]);
    expect(backoffMs(10, 30_000)).toBe(30_000);
    expect(backoffMs(10_000, 30_000)).toBe(30_000);
  });
});

describe('OutboxRelay', () => {
  it('sends a due mail with its record id and token, then marks it sent', async () => {
    const { relay, calls, sent } = setUp([mail()], async () => ({ messageId: '<m1@gatehouse>' }));
    await round(relay);
    expect(sent).toEqual([expect.objectContaining({ id: 'm1', kind: 'password_reset', to: 'a@example.com', token: 'tok' })]);
    expect(calls).toEqual(['claim', 'sent m1']);
  });

  it('keeps a mail the mail service could not take, for a retry after the backoff', async () => {
    const { relay, calls } = setUp([mail({ attempts: 2 })], () => Promise.reject(new AppError('SERVICE_UNAVAILABLE', 'down')));
    await round(relay);
    expect(calls).toEqual(['claim', 'failed m1 4000 SERVICE_UNAVAILABLE']);
  });

  it('drops a mail whose link has expired instead of sending it', async () => {
    const { relay, calls, sent } = setUp([mail({ expiresAt: new Date(Date.now() - 1) })], async () => ({}));
    await round(relay);
    expect(sent).toEqual([]);
    expect(calls).toEqual(['claim', 'abandoned m1']);
  });

  it('claims again only after a full batch: a short one was all that was due', async () => {
    const due = Array.from({ length: 12 }, (_, i) => mail({ id: `m${i}` }));
    const { relay, calls } = setUp(due, async () => ({}));
    await run(relay);
    expect(calls.filter((call) => call === 'claim')).toHaveLength(2);
    expect(calls.filter((call) => call.startsWith('sent'))).toHaveLength(12);
  });

  it('recounts the pending mails once a round is done', async () => {
    const { relay, calls } = setUp([mail()], async () => ({}));
    await run(relay);
    expect(calls).toEqual(['claim', 'sent m1', 'count']);
  });

  it('sends a just-committed mail at once, without claiming it (its writer holds the lease)', async () => {
    const { relay, calls, sent } = setUp([], async () => ({}));
    relay.sendNow(mail({ id: 'fresh' }));
    await relay.onApplicationShutdown();
    expect(sent).toEqual([expect.objectContaining({ id: 'fresh', token: 'tok' })]);
    expect(calls).toEqual(['sent fresh']);
  });

  it('leaves a just-committed mail the mail service could not take to the backoff, like any other', async () => {
    const { relay, calls } = setUp([], () => Promise.reject(new AppError('SERVICE_UNAVAILABLE', 'down')));
    relay.sendNow(mail({ id: 'fresh' }));
    await relay.onApplicationShutdown();
    expect(calls).toEqual(['failed fresh 1000 SERVICE_UNAVAILABLE']);
  });

  it('waits for the mails it is sending before it stops, and sends none after', async () => {
    let answer!: () => void;
    const { relay, calls } = setUp([], () => new Promise<void>((resolve) => (answer = resolve)));
    relay.sendNow(mail({ id: 'fresh' }));
    const stopping = relay.onApplicationShutdown();
    relay.sendNow(mail({ id: 'late' }));
    await sleep(10);
    expect(calls).toEqual([]);
    answer();
    await stopping;
    expect(calls).toEqual(['sent fresh']);
  });

  it('finishes every delivery of a round before the round ends, even when one of them fails to record', async () => {
    const answers: Array<() => void> = [];
    const { relay, calls } = setUp([mail({ id: 'a' }), mail({ id: 'b' })], () => new Promise<void>((resolve) => answers.push(resolve)));
    const outbox = (relay as unknown as { outbox: { markSent: (id: string) => Promise<void> } }).outbox;
    const markSent = outbox.markSent;
    outbox.markSent = async (id: string) => {
      if (id === 'a') throw new Error('connection lost');
      return markSent(id);
    };
    relay.poll();
    await sleep(5);
    answers[0]();
    await sleep(5);
    const stopping = relay.onApplicationShutdown();
    let stopped = false;
    void stopping.then(() => (stopped = true));
    await sleep(5);
    // b is still with the mail service: stopping must wait for it.
    expect(stopped).toBe(false);
    answers[1]();
    await stopping;
    expect(calls).toContain('sent b');
  });
});
