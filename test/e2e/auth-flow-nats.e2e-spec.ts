// The whole auth-flow suite again, over NATS: same tests, other transport, on a NATS server that
// asks for a password, as one in production does (NATS_URL carries it, percent-encoded).
import { startApp } from '../../scripts/system/app-process.js';
import { startNatsServer } from '../../scripts/system/nats-server.js';
import { freePorts } from '../../scripts/system/ports.js';
import { projectRoot } from '../../scripts/system/system.js';
import { brokerOrSkip, NATS_URL, privateNats, type Broker } from '../support/brokers.js';
import { STRONG_PASSWORD } from '../support/gatehouse.js';
import { HttpClient } from '../support/http-client.js';
import { runOver } from '../support/transport-under-test.js';

const LOGIN = { user: 'gatehouse', pass: 'p@ss:w/rd%42' };

if (await brokerOrSkip('NATS', NATS_URL, 'auth flow over NATS')) {
  // This file's own NATS server: its services' queue groups must not meet another file's.
  const secured = await startNatsServer(LOGIN);
  if (!secured) {
    process.stdout.write('NOTE: no nats-server binary: the auth flow over NATS runs without credentials, which go untested.\n');
  }
  const nats: Broker = secured ?? (await privateNats());
  afterAll(() => nats.stop());
  runOver({ TRANSPORT: 'nats', NATS_URL: nats.url });
  await import('./auth-flow.e2e-spec.js');

  if (secured) describeWrongCredentials(secured.url.replace(encodeURIComponent(LOGIN.pass), 'not-the-password'));
} else {
  describe.skip('auth flow over NATS (no NATS server answers)', () => {
    it('runs when NATS_URL answers', () => undefined);
  });
}

function describeWrongCredentials(wrongUrl: string): void {
  describe('NATS credentials that the NATS server refuses', () => {
    const lines: string[] = [];
    const log = (_: string, line: string) => lines.push(line);
    const env = { TRANSPORT: 'nats', NATS_URL: wrongUrl, LOG_FORMAT: 'json' };

    it('stop a service at start-up with one line that names NATS_URL, not the password', async () => {
      const start = startApp({
        root: projectRoot(),
        name: 'mail',
        env: { ...env, SMTP_URL: 'smtp://127.0.0.1:2525', MAIL_METRICS_PORT: '0' },
        log,
      });
      await expect(start).rejects.toThrow('mail exited (1) before it was ready');
      const refusal = /^\[mail\] NATS at nats:\/\/127\.0\.0\.1:\d+ refused the credentials in NATS_URL \(Authorization Violation\)/;
      expect(lines.filter((line) => refusal.test(line))).toHaveLength(1);
      expect(lines.filter((line) => line.startsWith('[mail]') || /^\s+at /.test(line))).toHaveLength(1);
    });

    it('make a gateway answer 503, not 500, and say so in its health', async () => {
      const [port] = await freePorts(1);
      const gateway = await startApp({
        root: projectRoot(),
        name: 'gateway',
        env: { ...env, GATEWAY_PORT: String(port), GATEWAY_METRICS_PORT: '0' },
        log,
      });
      try {
        const http = new HttpClient(`http://127.0.0.1:${port}`);
        const register = await http.post('/register', { username: 'natsauth', password: STRONG_PASSWORD });
        expect(register.body).toMatchObject({ statusCode: 503, code: 'SERVICE_UNAVAILABLE' });
        expect((await http.get('/health')).status).toBe(503);
      } finally {
        await gateway.stop();
      }
    });

    afterAll(() => {
      // Neither the password given nor the server's own is ever written out.
      expect(lines.length).toBeGreaterThan(0);
      for (const secret of ['not-the-password', LOGIN.pass, encodeURIComponent(LOGIN.pass)]) {
        expect(lines.filter((line) => line.includes(secret))).toEqual([]);
      }
    });
  });
}
