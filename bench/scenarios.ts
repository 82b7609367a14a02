import type autocannon from 'autocannon';
import type { AuthResponse } from '#contracts/identity';
import { emailOf, PASSWORD, type Sessions } from './sessions.js';

type Request = autocannon.Request;
type Context = autocannon.Context;

const JSON_HEADERS = { 'content-type': 'application/json' };
const withBody = (request: Request, value: unknown): Request => ({ ...request, body: JSON.stringify(value) });
const withBearer = (request: Request, token: string): Request => ({
  ...request,
  headers: { ...request.headers, authorization: `Bearer ${token}` },
});

/**
 * A new account per request: `prefix` + a counter. `sessions` (if given) keeps each 201's account and tokens.
 * With an email (the default), each registration also has its verification mail delivered.
 */
export function registerRequest(prefix: string, sessions?: Sessions, { email = true } = {}): Request {
  let counter = 0;
  return {
    method: 'POST',
    path: '/register',
    headers: JSON_HEADERS,
    setupRequest: (request, context) => {
      const username = `${prefix}${(counter++).toString(36)}`;
      context.username = username;
      return withBody(request, { username, password: PASSWORD, ...(email && { email: emailOf(username) }) });
    },
    onResponse: (status, body, context) => {
      if (status === 201) sessions?.add(body, context.username as string);
    },
  };
}

/**
 * Logs in the registered accounts in turn. The answer's tokens go to the
 * connection's context (for a chained refresh) and, if `keep`, to `sessions`.
 */
export function loginRequest(sessions: Sessions, keep: boolean): Request {
  return {
    method: 'POST',
    path: '/login',
    headers: JSON_HEADERS,
    setupRequest: (request) => withBody(request, { username: sessions.user(), password: PASSWORD }),
    onResponse: (status, body, context) => {
      if (status !== 200) return;
      const response = keep ? sessions.add(body) : (JSON.parse(body) as AuthResponse);
      remember(context, response);
    },
  };
}

/** GET /me with the connection's own access token if it has one, else the next of `tokens`. */
export function meRequest(tokens: () => string): Request {
  return {
    method: 'GET',
    path: '/me',
    setupRequest: (request, context) => withBearer(request, (context.access as string | undefined) ?? tokens()),
  };
}

/** Refreshes the token the connection's last login or refresh returned (mixed traffic). */
export function chainedRefreshRequest(): Request {
  return {
    method: 'POST',
    path: '/refresh',
    headers: JSON_HEADERS,
    setupRequest: (request, context) => withBody(request, { refreshToken: context.refresh ?? 'none' }),
    onResponse: (status, body, context) => {
      if (status === 200) remember(context, JSON.parse(body) as AuthResponse);
      else delete context.refresh;
    },
  };
}

function remember(context: Context, response: AuthResponse): void {
  context.access = response.accessToken;
  context.refresh = response.refreshToken;
}

/** 1 register : 5 logins : 50 GET /me : 5 refreshes, each refresh spending its login's token. */
export function mixedRequests(prefix: string, sessions: Sessions): Request[] {
  const login = loginRequest(sessions, false);
  const refresh = chainedRefreshRequest();
  const me = meRequest(() => sessions.accessToken());
  const cycle: Request[] = [];
  for (let i = 0; i < 5; i++) cycle.push(login, refresh, ...Array<Request>(10).fill(me));
  cycle.push(registerRequest(prefix));
  return cycle;
}

interface Chain {
  token: string;
  inFlight: boolean;
  dead: boolean;
}

/**
 * POST /refresh where each connection keeps one session alive: it starts
 * from an unspent refresh token of `sessions` and then sends, each time, the
 * token the previous answer returned. Refresh tokens are single use, so no
 * token is ever sent twice.
 */
export class RefreshChains {
  private readonly held = new Set<Chain>();

  constructor(private readonly sessions: Sessions) {}

  /**
   * autocannon clears a connection's context when it reaches the end of its
   * request list, so the list is long enough never to end within a run.
   */
  requests(length = 2000): Request[] {
    const request: Request = {
      method: 'POST',
      path: '/refresh',
      headers: JSON_HEADERS,
      setupRequest: (req, context) => {
        const chain = (context.chain ??= this.acquire()) as Chain;
        chain.inFlight = true;
        return withBody(req, { refreshToken: chain.token });
      },
      onResponse: (status, body, context) => {
        const chain = context.chain as Chain;
        chain.inFlight = false;
        if (status === 200) chain.token = (JSON.parse(body) as AuthResponse).refreshToken;
        else chain.dead = true;
      },
    };
    return Array<Request>(length).fill(request);
  }

  /**
   * After a run: a chain whose last refresh was answered gives its token back;
   * one cut off in flight may or may not have been spent, so it is dropped.
   */
  release(): { returned: number; dropped: number } {
    let returned = 0;
    for (const chain of this.held) {
      if (chain.inFlight || chain.dead) continue;
      this.sessions.returnRefreshToken(chain.token);
      returned += 1;
    }
    const dropped = this.held.size - returned;
    this.held.clear();
    return { returned, dropped };
  }

  private acquire(): Chain {
    const chain = { token: this.sessions.takeRefreshToken() ?? 'out-of-refresh-tokens', inFlight: false, dead: false };
    this.held.add(chain);
    return chain;
  }
}
