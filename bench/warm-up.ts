import type autocannon from 'autocannon';
import { runOnce, type Run } from './load.js';
import { meRequest, RefreshChains } from './scenarios.js';
import { emailOf, PASSWORD, Sessions } from './sessions.js';

/** Accounts made for the warm-up (with an email each), and connections that drive it. */
const ACCOUNTS = 16;
const CONNECTIONS = 8;

/**
 * Before the bcrypt-bound scenarios: the system's code paths that cost no
 * bcrypt work, run for `seconds` and not measured, so that what is measured is
 * the system as it runs in operation, not just started.
 *
 * V8 optimises a function only after many calls. At bcrypt's rate (9
 * requests a second) a freshly started app spends its first minutes in
 * unoptimised code: the gateway, the user service's main thread and identity
 * used 3.8, 3.5 and 3.0 ms of CPU per login just after start-up against 2.2,
 * 2.7 and 1.8 ms after 40 s of `GET /me` and refreshes, and nodemailer alone
 * 5-10 ms per mail at 8 mails a second in a new process against 1.9-2.5 ms
 * once it had sent a thousand. Each cycle per connection: 10 × `GET /me`, a
 * refresh (its own session, chained) and a `POST /password/forgot`, whose reset
 * mail takes the path of a registration's: outbox, mail service, SMTP. The
 * baseline gets `GET /me` meanwhile. Any error fails the run: a warm-up of
 * error paths would warm the wrong code.
 */
export async function warmUp(
  gatewayUrl: string,
  baseline: { url: string; token: () => string },
  prefix: string,
  seconds: number,
  signal?: AbortSignal,
): Promise<Run[]> {
  const runs = await Promise.all([
    warmUpSystem(gatewayUrl, prefix, seconds, signal),
    runOnce(
      {
        name: 'baseline warm-up',
        url: baseline.url,
        connections: CONNECTIONS,
        warmupS: 0,
        measureS: seconds,
        requests: [meRequest(baseline.token)],
      },
      signal,
    ),
  ]);
  const errors = runs.reduce((sum, run) => sum + run.errors.non2xx + run.errors.socket, 0);
  if (errors > 0) throw new Error(`the warm-up had ${errors} errors: ${runs.flatMap((run) => run.errors.samples).join('; ')}`);
  return runs;
}

async function warmUpSystem(gatewayUrl: string, prefix: string, seconds: number, signal?: AbortSignal): Promise<Run> {
  const sessions = await register(gatewayUrl, prefix);
  const chains = new RefreshChains(sessions);
  const [refresh] = chains.requests(1);
  const me = meRequest(() => sessions.accessToken());
  const forgot: autocannon.Request = {
    method: 'POST',
    path: '/password/forgot',
    headers: { 'content-type': 'application/json' },
    setupRequest: (request) => ({ ...request, body: JSON.stringify({ email: emailOf(sessions.user()) }) }),
  };
  // Long, since autocannon forgets a connection's chain at the end of its list.
  const cycle = [...Array<autocannon.Request>(10).fill(me), refresh, forgot];
  const requests = Array.from({ length: 500 }, () => cycle).flat();
  const run = await runOnce(
    { name: 'warm-up', url: gatewayUrl, connections: CONNECTIONS, warmupS: 0, measureS: seconds, requests },
    signal,
  );
  chains.release();
  return run;
}

async function register(gatewayUrl: string, prefix: string): Promise<Sessions> {
  const sessions = new Sessions();
  for (let batch = 0; batch < ACCOUNTS / CONNECTIONS; batch++) {
    await Promise.all(
      Array.from({ length: CONNECTIONS }, async (_, i) => {
        const username = `${prefix}${batch * CONNECTIONS + i}`;
        const response = await fetch(`${gatewayUrl}/register`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ username, password: PASSWORD, email: emailOf(username) }),
        });
        const body = await response.text();
        if (response.status !== 201) throw new Error(`warm-up: POST /register answered ${response.status}: ${body}`);
        sessions.add(body, username);
      }),
    );
  }
  return sessions;
}
