// The whole auth-flow suite again, over NATS: same tests, other transport.
import { brokerOrSkip, NATS_URL, privateNats, type Broker } from '../support/brokers.js';
import { runOver } from '../support/transport-under-test.js';

if (await brokerOrSkip('NATS', NATS_URL, 'auth flow over NATS')) {
  // This file's own NATS server: its services' queue groups must not meet another file's.
  const nats: Broker = await privateNats();
  afterAll(() => nats.stop());
  runOver({ TRANSPORT: 'nats', NATS_URL: nats.url });
  await import('./auth-flow.e2e-spec.js');
} else {
  describe.skip('auth flow over NATS (no NATS server answers)', () => {
    it('runs when NATS_URL answers', () => undefined);
  });
}
