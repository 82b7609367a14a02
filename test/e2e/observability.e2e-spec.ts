import { randomUUID } from 'node:crypto';
import { logsFlushed } from '../support/logs.js';
import { startGatehouse, STRONG_PASSWORD, uniqueName, type TestGatehouse } from '../support/gatehouse.js';

let gh: TestGatehouse;
beforeAll(async () => {
  gh = await startGatehouse();
});
afterAll(async () => {
  await gh?.stop();
});

/** The JSON log records one app printed, parsed from the launcher's `[app] {...}` lines. */
function logsOf(app: string): Array<Record<string, any>> {
  return gh.logs
    .filter((line) => line.startsWith(`[${app}] {`))
    .map((line) => JSON.parse(line.slice(app.length + 3)) as Record<string, any>);
}

/** The records one app logged while handling the request with this correlation id. */
const tagged = (app: string, requestId: string) => logsOf(app).filter((record) => record.reqId === requestId);

async function eventually(check: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
}

describe('correlation ids', () => {
  it('follow one request through the logs of all three apps, and come back in X-Request-Id', async () => {
    const requestId = `e2e-${randomUUID()}`;
    const credentials = { username: uniqueName('corr'), password: STRONG_PASSWORD };
    await gh.http.post('/register', credentials);
    const login = await gh.http.post('/login', credentials, { 'x-request-id': requestId });
    expect(login.status).toBe(200);
    expect(login.headers.get('x-request-id')).toBe(requestId);

    await eventually(() => tagged('user', requestId).length >= 2);
    expect(tagged('gateway', requestId)).toEqual([
      expect.objectContaining({
        msg: 'request completed',
        method: 'POST',
        url: '/login',
        statusCode: 200,
        responseTime: expect.any(Number),
      }),
    ]);
    expect(
      tagged('user', requestId)
        .map((r) => r.rpc.pattern)
        .sort(),
    ).toEqual(['user.logged_in', 'user.verify_credentials']);
    expect(tagged('identity', requestId).map((r) => r.rpc.pattern)).toEqual(['identity.issue_tokens']);
    for (const record of [...tagged('user', requestId), ...tagged('identity', requestId)])
      expect(record.responseTime).toEqual(expect.any(Number));
  });

  it('log a refusal a service gives on purpose at info, with its code and no stack trace', async () => {
    const requestId = `e2e-${randomUUID()}`;
    const login = await gh.http.post(
      '/login',
      { username: uniqueName('nobody'), password: STRONG_PASSWORD },
      { 'x-request-id': requestId },
    );
    expect(login.status).toBe(401);

    await eventually(() => tagged('user', requestId).length >= 1);
    const [record] = tagged('user', requestId);
    expect(record).toMatchObject({ level: 30, rpc: { pattern: 'user.verify_credentials' }, code: 'INVALID_CREDENTIALS' });
    expect(record.err).toBeUndefined();
  });

  it('are generated when absent or malformed', async () => {
    const absent = await gh.http.get('/health');
    expect(absent.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    const forged = await gh.http.get('/health', { 'x-request-id': 'evil" {"level":60}' });
    expect(forged.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });
});

describe('logs', () => {
  it('never contain passwords, tokens or hashes', async () => {
    const password = `Unique-${randomUUID()}`;
    const res = await gh.http.post('/register', { username: uniqueName('redact'), password });
    await logsFlushed();
    const all = gh.logs.join('\n');
    expect(all).not.toContain(password);
    expect(all).not.toContain(res.body.refreshToken);
    expect(all).not.toContain(res.body.accessToken);
    expect(all).not.toMatch(/\$2[aby]\$\d\d\$/);
  });
});

describe('GET /metrics', () => {
  it('is not served on the public port', async () => {
    const res = await gh.http.get('/metrics');
    expect(res.status).toBe(404);
    expect(res.body).toEqual({ statusCode: 404, error: 'Not Found', code: 'NOT_FOUND', message: expect.any(String) });
  });

  it("exposes the gateway's HTTP and RPC latency histograms and process metrics in Prometheus text on its metrics port", async () => {
    const credentials = { username: uniqueName('metric'), password: STRONG_PASSWORD };
    await gh.http.post('/register', credentials);
    await gh.http.post('/login', credentials);
    await gh.http.post('/login', { ...credentials, password: 'wrong-password-1' });

    const res = await fetch(`http://127.0.0.1:${gh.system.envOf('gateway').GATEWAY_METRICS_PORT}/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/plain');
    const text = await res.text();
    expect(text).toMatch(/^http_request_duration_seconds_bucket\{.*method="POST".*route="\/login".*status_code="200".*\} [1-9]/m);
    expect(text).toMatch(/^http_request_duration_seconds_bucket\{.*route="\/login".*status_code="401".*\} [1-9]/m);
    expect(text).toMatch(
      /^rpc_client_duration_seconds_count\{.*service="user".*pattern="user.verify_credentials".*outcome="ok".*\} [1-9]/m,
    );
    expect(text).toMatch(
      /^rpc_client_duration_seconds_count\{.*pattern="user.verify_credentials".*outcome="INVALID_CREDENTIALS".*\} [1-9]/m,
    );
    expect(text).toMatch(/^rpc_client_duration_seconds_count\{.*service="identity".*pattern="identity.issue_tokens".*\} [1-9]/m);
    expect(text).toMatch(/^process_resident_memory_bytes\{app="gateway"\} \d+/m);
  });

  it("each service serves its own on its metrics port, the user service's with bcrypt timings", async () => {
    const user = await (await fetch(`http://127.0.0.1:${gh.system.envOf('user').USER_METRICS_PORT}/metrics`)).text();
    expect(user).toMatch(/^bcrypt_duration_seconds_count\{operation="hash"\} [1-9]/m);
    expect(user).toMatch(/^bcrypt_duration_seconds_count\{operation="compare"\} [1-9]/m);
    expect(user).toMatch(/^process_resident_memory_bytes\{app="user"\} \d+/m);
    const identity = await (await fetch(`http://127.0.0.1:${gh.system.envOf('identity').IDENTITY_METRICS_PORT}/metrics`)).text();
    expect(identity).toMatch(/^process_resident_memory_bytes\{app="identity"\} \d+/m);
  });
});
