// The gateway as browsers meet it: CORS for an allowlist, security and
// no-store headers, and the cookie mode for the refresh token (with its CSRF check).
import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';
import { startApp } from '../../scripts/system/app-process.js';
import { freePorts } from '../../scripts/system/ports.js';
import { projectRoot } from '../../scripts/system/system.js';
import { startGatehouse, STRONG_PASSWORD, uniqueName, type TestGatehouse } from '../support/gatehouse.js';
import { HttpClient, type HttpResult } from '../support/http-client.js';

const APP = 'https://app.example.test';
const FOREIGN = 'https://evil.example.test';
const COOKIE = '__Host-gatehouse_refresh';

let gh: TestGatehouse;
beforeAll(async () => {
  // TRUST_PROXY so a test can say the request came over TLS (X-Forwarded-Proto).
  gh = await startGatehouse({ CORS_ORIGINS: `${APP}, http://localhost:5173`, REFRESH_COOKIE: 'true', TRUST_PROXY: 'true' });
});
afterAll(async () => {
  await gh?.stop();
});

const preflight = (origin: string) =>
  gh.http.request('OPTIONS', '/register', undefined, {
    origin,
    'access-control-request-method': 'POST',
    'access-control-request-headers': 'content-type',
  });

/** The refresh cookie a response sets: its value and its attributes, lower-cased. */
function refreshCookie(res: HttpResult): { value: string; attributes: string[] } | undefined {
  const line = res.headers.getSetCookie().find((cookie) => cookie.startsWith(`${COOKIE}=`));
  if (!line) return undefined;
  const [pair, ...attributes] = line.split(/;\s*/);
  return { value: pair.slice(COOKIE.length + 1), attributes: attributes.map((a) => a.toLowerCase()).sort() };
}

const withCookie = (value: string, origin?: string): Record<string, string> => ({
  cookie: `${COOKIE}=${value}`,
  ...(origin === undefined ? {} : { origin }),
});

async function signUp(): Promise<HttpResult> {
  const res = await gh.http.post('/register', { username: uniqueName('web'), password: STRONG_PASSWORD }, { origin: APP });
  expect(res.status).toBe(201);
  return res;
}

describe('CORS', () => {
  it('answers a preflight from an allowed origin with 204 and the allow headers', async () => {
    const res = await preflight(APP);
    expect(res.status).toBe(204);
    expect(res.headers.get('access-control-allow-origin')).toBe(APP);
    expect(res.headers.get('access-control-allow-credentials')).toBe('true');
    expect(res.headers.get('access-control-allow-methods')).toContain('POST');
    expect(res.headers.get('access-control-allow-headers')?.toLowerCase()).toContain('content-type');
    expect(res.headers.get('vary')).toMatch(/origin/i);
  });

  it('gives any other origin no allow header, on preflights and simple requests alike', async () => {
    for (const res of [await preflight(FOREIGN), await gh.http.get('/health', { origin: FOREIGN })]) {
      for (const header of ['origin', 'credentials', 'methods', 'headers']) {
        expect(res.headers.get(`access-control-allow-${header}`)).toBeNull();
      }
    }
  });

  it('allows simple requests from a listed origin, exposing X-Request-Id', async () => {
    const res = await gh.http.get('/health', { origin: 'http://localhost:5173' });
    expect(res.headers.get('access-control-allow-origin')).toBe('http://localhost:5173');
    expect(res.headers.get('access-control-allow-credentials')).toBe('true');
    expect(res.headers.get('access-control-expose-headers')).toContain('X-Request-Id');
  });
});

describe('response headers', () => {
  it('mark every token-bearing response no-store', async () => {
    const credentials = { username: uniqueName('store'), password: STRONG_PASSWORD };
    const register = await gh.http.post('/register', credentials, { origin: APP });
    const login = await gh.http.post('/login', credentials, { origin: APP });
    const refresh = await gh.http.post('/refresh', undefined, withCookie(refreshCookie(login)!.value, APP));
    const me = await gh.http.get('/me', gh.http.bearer(login.body.accessToken));
    expect([register.status, login.status, refresh.status, me.status]).toEqual([201, 200, 200, 200]);
    for (const res of [register, login, refresh, me]) {
      expect(res.headers.get('cache-control')).toBe('no-store');
      expect(res.headers.get('pragma')).toBe('no-cache');
    }
  });

  it('carry the security headers on every response, errors and docs included', async () => {
    const responses = [
      await gh.http.get('/health'),
      await gh.http.get('/nope'),
      await gh.http.post('/login', { username: 'x' }),
      await gh.http.get('/docs-json'),
      await gh.http.get('/docs'),
    ];
    expect(responses.map((res) => res.status)).toEqual([200, 404, 400, 200, 200]);
    for (const res of responses) {
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      expect(res.headers.get('referrer-policy')).toBe('no-referrer');
      expect(res.headers.get('x-frame-options')).toBe('SAMEORIGIN');
      expect(res.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    }
    expect(responses[0].headers.get('content-security-policy')).toMatch(/^default-src 'none'/);
    expect(responses[4].headers.get('content-security-policy')).toMatch(/^default-src 'self'.*script-src 'self';/);
  });

  it('send HSTS only when the request came over TLS', async () => {
    expect((await gh.http.get('/health')).headers.get('strict-transport-security')).toBeNull();
    const tls = await gh.http.get('/health', { 'x-forwarded-proto': 'https' });
    expect(tls.headers.get('strict-transport-security')).toBe('max-age=31536000; includeSubDomains');
  });
});

describe('the refresh cookie (REFRESH_COOKIE=true)', () => {
  it('is set by register and login as a __Host- cookie, HttpOnly, Secure, SameSite=Strict, and left out of the body', async () => {
    const register = await signUp();
    const login = await gh.http.post('/login', { username: register.body.user.username, password: STRONG_PASSWORD });
    for (const res of [register, login]) {
      expect(res.body.refreshToken).toBeUndefined();
      expect(res.body.accessToken).toEqual(expect.any(String));
      const cookie = refreshCookie(res);
      expect(cookie?.value).toMatch(/^[\w-]{43,}$/);
      expect(cookie?.attributes).toEqual(['httponly', 'max-age=2592000', 'path=/', 'samesite=strict', 'secure']);
    }
    expect(refreshCookie(register)!.value).not.toBe(refreshCookie(login)!.value);
  });

  it('rotates on /refresh with only the cookie, and treats reuse of a rotated value as theft', async () => {
    const first = refreshCookie(await signUp())!.value;
    const refreshed = await gh.http.post('/refresh', undefined, withCookie(first, APP));
    expect(refreshed.status).toBe(200);
    expect(refreshed.body.refreshToken).toBeUndefined();
    expect((await gh.http.get('/me', gh.http.bearer(refreshed.body.accessToken))).status).toBe(200);
    const second = refreshCookie(refreshed)!.value;
    expect(second).not.toBe(first);

    const reuse = await gh.http.post('/refresh', undefined, withCookie(first, APP));
    expect(reuse.status).toBe(401);
    expect(reuse.body.code).toBe('REFRESH_TOKEN_REUSED');
    const afterTheft = await gh.http.post('/refresh', undefined, withCookie(second, APP));
    expect(afterTheft.body.code).toBe('INVALID_REFRESH_TOKEN');
  });

  it.each([
    ['a foreign Origin', FOREIGN],
    ['no Origin', undefined],
    ['Origin null', 'null'],
  ])('refuses a cookie-authenticated /refresh or /logout with %s: 403 FORBIDDEN, session untouched', async (_, origin) => {
    const cookie = refreshCookie(await signUp())!.value;
    for (const path of ['/refresh', '/logout']) {
      const res = await gh.http.post(path, undefined, withCookie(cookie, origin));
      expect(res.status).toBe(403);
      expect(res.body).toEqual({ statusCode: 403, error: 'Forbidden', code: 'FORBIDDEN', message: expect.any(String) });
      expect(res.headers.getSetCookie()).toEqual([]);
    }
    expect((await gh.http.post('/refresh', undefined, withCookie(cookie, APP))).status).toBe(200);
  });

  it("accepts the gateway's own origin", async () => {
    const cookie = refreshCookie(await signUp())!.value;
    expect((await gh.http.post('/refresh', undefined, withCookie(cookie, gh.system.gatewayUrl))).status).toBe(200);
  });

  it('clears the cookie on /logout and revokes its session', async () => {
    const cookie = refreshCookie(await signUp())!.value;
    const out = await gh.http.post('/logout', undefined, withCookie(cookie, APP));
    expect(out.status).toBe(204);
    const cleared = refreshCookie(out);
    expect(cleared?.value).toBe('');
    expect(cleared?.attributes).toEqual(expect.arrayContaining(['path=/', 'secure', 'httponly', 'samesite=strict']));
    expect(cleared?.attributes.some((a) => a === 'max-age=0' || a.startsWith('expires=thu, 01 jan 1970'))).toBe(true);
    expect((await gh.http.post('/refresh', undefined, withCookie(cookie, APP))).body.code).toBe('INVALID_REFRESH_TOKEN');
  });

  it('still takes the token from the body, with no Origin needed, and answers 400 when there is none', async () => {
    const cookie = refreshCookie(await signUp())!.value;
    const refreshed = await gh.http.post('/refresh', { refreshToken: cookie });
    expect(refreshed.status).toBe(200);
    const missing = await gh.http.post('/refresh', {}, { origin: APP });
    expect(missing.status).toBe(400);
    expect(missing.body.code).toBe('VALIDATION_FAILED');
  });

  it('are described in the OpenAPI document, with the 403 of /refresh and /logout', async () => {
    const doc = await gh.http.get('/docs-json');
    expect(doc.body.paths['/refresh'].post.responses['403']).toBeDefined();
    expect(doc.body.paths['/logout'].post.responses['403']).toBeDefined();
    expect(doc.body.info.description).toContain('REFRESH_COOKIE');
  });
});

describe('DOCS_ENABLED=false', () => {
  it('turns /docs and /docs-json off', async () => {
    // The gateway alone is enough: it starts while the services are down.
    const [port, user, identity] = await freePorts(3);
    const env = { GATEWAY_PORT: String(port), USER_PORT: String(user), IDENTITY_PORT: String(identity) };
    const gateway = await startApp({
      root: projectRoot(),
      name: 'gateway',
      env: { ...env, NODE_ENV: 'test', DOCS_ENABLED: 'false', GATEWAY_METRICS_PORT: '0' },
      log: () => {},
    });
    try {
      const http = new HttpClient(`http://127.0.0.1:${port}`);
      for (const path of ['/docs', '/docs-json', '/docs/swagger-ui.css']) {
        const res = await http.get(path);
        expect(res.status).toBe(404);
        expect(res.body.code).toBe('NOT_FOUND');
      }
    } finally {
      await gateway.stop();
    }
  });
});

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const haveChromium = existsSync(CHROMIUM);
if (!haveChromium) {
  console.warn(
    `SKIPPED: the Swagger UI browser test needs Chromium, and there is none at ${CHROMIUM} (apt-get install chromium, or set CHROMIUM_PATH).`,
  );
}

(haveChromium ? describe : describe.skip)('Swagger UI in headless Chromium, under the security headers', () => {
  let browser: Browser;
  beforeAll(async () => {
    // --no-sandbox: CI runs as root, where Chromium's sandbox refuses to start.
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
  });
  afterAll(async () => {
    await browser?.close();
  });

  it('renders the operations and runs GET /health with "Try it out", with no CSP violation', async () => {
    const page = await browser.newPage();
    page.setDefaultTimeout(15_000);
    const errors: string[] = [];
    page.on('console', (message) => {
      if (message.type() === 'error') errors.push(message.text());
    });
    page.on('pageerror', (error) => errors.push(error.message));
    // Runs in the page (a string: this file is compiled without the DOM types).
    await page.addInitScript(`document.addEventListener('securitypolicyviolation', (event) =>
      console.error('CSP violation: ' + event.violatedDirective + ' ' + event.blockedURI))`);
    await page.goto(`${gh.system.gatewayUrl}/docs`);
    await page.locator('.opblock-summary-path[data-path="/health"]').click();
    await page.getByRole('button', { name: 'Try it out' }).click();
    await page.getByRole('button', { name: 'Execute' }).click();
    const status = page.locator('.live-responses-table .response .response-col_status').first();
    await status.waitFor();
    expect((await status.textContent())?.trim()).toBe('200');
    // Every operation of the OpenAPI document is rendered.
    const paths = (await gh.http.get('/docs-json')).body.paths as Record<string, Record<string, unknown>>;
    const operations = Object.values(paths).reduce((sum, methods) => sum + Object.keys(methods).length, 0);
    expect(operations).toBeGreaterThan(6);
    expect(await page.locator('.opblock').count()).toBe(operations);
    expect(errors).toEqual([]);
  });
});
