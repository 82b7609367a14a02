import { setTimeout as sleep } from 'node:timers/promises';
import { jest } from '@jest/globals';
import { Logger } from '@nestjs/common';
import { Deadline } from '#common/overload';
import type { IdentityConfig } from '../identity.config.js';
import type { AccessTokenSigner, SignedAccessToken } from './access-token.signer.js';
import { hashRefreshToken } from './refresh-tokens.js';
import type { ActiveSession, NewRefreshToken, RotationOutcome, SessionClient, SessionsRepository } from './sessions.repository.js';
import { SessionsService } from './sessions.service.js';

const REFRESH_TOKEN_TTL = 3_600;
const config = { REFRESH_TOKEN_TTL } as IdentityConfig;
const USER_1 = { userId: 'user-1', credentialsVersion: 0 };
const USER_2 = { userId: 'user-2', credentialsVersion: 0 };

interface StoredSession extends SessionClient {
  userId: string;
  credentialsVersion: number;
  revoked: boolean;
  createdAt: Date;
  lastUsedAt: Date;
}

interface StoredToken {
  sessionId: string;
  expiresAt: Date;
  used: boolean;
}

/**
 * Sessions and refresh tokens in memory, keeping the repository's promises:
 * a write happens only if `beforeCommit` lets its transaction commit, and a
 * claim of a dead token still spends it.
 */
class FakeSessions {
  readonly sessions = new Map<string, StoredSession>();
  readonly tokens = new Map<string, StoredToken>();
  readonly revoked: string[] = [];
  readonly lookedUp: string[] = [];
  /** How long a session's INSERT takes once sent: a slow commit. */
  commitMs = 0;

  async create(
    { id, ...session }: { id: string; userId: string; credentialsVersion: number } & SessionClient,
    token: NewRefreshToken,
    beforeCommit: () => void = () => undefined,
  ): Promise<void> {
    beforeCommit();
    if (this.commitMs > 0) await sleep(this.commitMs);
    // As PostgreSQL refuses a second row under one id.
    if (this.sessions.has(id)) throw Object.assign(new Error('duplicate key value'), { code: '23505', constraint: 'sessions_pkey' });
    this.sessions.set(id, { ...session, revoked: false, createdAt: new Date(), lastUsedAt: new Date() });
    this.tokens.set(token.hash, { sessionId: id, expiresAt: token.expiresAt, used: false });
  }

  async rotate(
    tokenHash: string,
    next: NewRefreshToken,
    client: SessionClient = {},
    beforeCommit: () => void = () => undefined,
  ): Promise<RotationOutcome> {
    const token = this.tokens.get(tokenHash);
    if (!token || token.used) return { rejected: 'unclaimed' };
    const session = this.sessions.get(token.sessionId);
    if (!session || session.revoked || token.expiresAt.getTime() <= Date.now()) {
      token.used = true;
      return { rejected: 'dead' };
    }
    beforeCommit();
    token.used = true;
    this.tokens.set(next.hash, { sessionId: token.sessionId, expiresAt: next.expiresAt, used: false });
    session.lastUsedAt = new Date();
    if (client.userAgent !== undefined) session.userAgent = client.userAgent;
    if (client.ip !== undefined) session.ip = client.ip;
    if (this.commitMs > 0) await sleep(this.commitMs);
    return { rotated: { sessionId: token.sessionId, userId: session.userId, credentialsVersion: session.credentialsVersion } };
  }

  async undoRotation(tokenHash: string, nextHash: string): Promise<void> {
    const next = this.tokens.get(nextHash);
    const presented = this.tokens.get(tokenHash);
    if (!next || next.used || presented?.sessionId !== next.sessionId) return;
    this.tokens.delete(nextHash);
    presented.used = false;
  }

  async sessionOfToken(tokenHash: string): Promise<string | undefined> {
    this.lookedUp.push(tokenHash);
    return this.tokens.get(tokenHash)?.sessionId;
  }

  async revoke(sessionId: string): Promise<boolean> {
    this.revoked.push(sessionId);
    const session = this.sessions.get(sessionId);
    if (!session || session.revoked) return false;
    session.revoked = true;
    return true;
  }

  /** The repository's rule: not revoked, and an unspent token that has not expired. */
  private alive(id: string): boolean {
    const session = this.sessions.get(id);
    const now = Date.now();
    return (
      !!session && !session.revoked && [...this.tokens.values()].some((t) => t.sessionId === id && !t.used && t.expiresAt.getTime() > now)
    );
  }

  async active(userId: string): Promise<ActiveSession[]> {
    return [...this.sessions.entries()]
      .filter(([id, session]) => session.userId === userId && this.alive(id))
      .map(([id, { createdAt, lastUsedAt, userAgent, ip }]) => ({
        id,
        createdAt,
        lastUsedAt,
        userAgent: userAgent ?? null,
        ip: ip ?? null,
      }));
  }

  async revokeOwn(userId: string, sessionId: string): Promise<boolean> {
    const session = this.sessions.get(sessionId);
    if (!session || session.userId !== userId || !this.alive(sessionId)) return false;
    session.revoked = true;
    return true;
  }

  async keepUnder(userId: string, sessionId: string, credentialsVersion: number): Promise<void> {
    const session = this.sessions.get(sessionId);
    if (session?.userId === userId && !session.revoked) session.credentialsVersion = credentialsVersion;
  }

  async revokeAllOf(userId: string, exceptSessionId?: string): Promise<number> {
    let revoked = 0;
    for (const [id, session] of this.sessions) {
      if (session.userId !== userId || session.revoked || id === exceptSessionId) continue;
      session.revoked = true;
      revoked += 1;
    }
    return revoked;
  }

  sessionOf(refreshToken: string) {
    const token = this.tokens.get(hashRefreshToken(refreshToken));
    return token && { id: token.sessionId, ...this.sessions.get(token.sessionId)!, token };
  }
}

class FakeSigner {
  readonly signed: Array<[string, string]> = [];

  sign(userId: string, sessionId: string): SignedAccessToken {
    this.signed.push([userId, sessionId]);
    return { accessToken: `access(${userId}/${sessionId})`, accessExpire: 2_000_000_000, refreshAfter: 1_999_999_550 };
  }
}

function setUp() {
  const sessions = new FakeSessions();
  const signer = new FakeSigner();
  const service = new SessionsService(sessions as unknown as SessionsRepository, signer as unknown as AccessTokenSigner, config);
  return { service, sessions, signer };
}

const later = () => new Deadline(Date.now() + 60_000);
const passed = () => new Deadline(Date.now() - 1);

let warn: jest.SpiedFunction<Logger['warn']>;
beforeEach(() => {
  warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
  jest.spyOn(Logger.prototype, 'log').mockImplementation(() => undefined);
});
afterEach(() => jest.restoreAllMocks());

describe('SessionsService.issue', () => {
  it('creates a session storing only the hash of its refresh token, valid for REFRESH_TOKEN_TTL', async () => {
    const { service, sessions, signer } = setUp();
    const before = Date.now();
    const pair = await service.issue(USER_1, later());
    const after = Date.now();

    expect(pair).toEqual({
      accessToken: expect.any(String),
      accessExpire: 2_000_000_000,
      refreshAfter: 1_999_999_550,
      refreshToken: expect.any(String),
    });
    expect(pair.refreshToken.length).toBeGreaterThanOrEqual(43);
    expect(sessions.tokens.has(pair.refreshToken)).toBe(false);
    const session = sessions.sessionOf(pair.refreshToken)!;
    expect(session).toMatchObject({ userId: 'user-1', revoked: false });
    expect(session.token.expiresAt.getTime()).toBeGreaterThanOrEqual(before + REFRESH_TOKEN_TTL * 1000);
    expect(session.token.expiresAt.getTime()).toBeLessThanOrEqual(after + REFRESH_TOKEN_TTL * 1000);
    expect(signer.signed).toEqual([['user-1', session.id]]);
  });

  it('gives every login its own session and token', async () => {
    const { service, sessions } = setUp();
    const [a, b] = await Promise.all([service.issue(USER_1), service.issue(USER_1)]);
    expect(a.refreshToken).not.toBe(b.refreshToken);
    expect(sessions.sessions.size).toBe(2);
  });

  it('begins the session under the id its caller chose, for the caller to end should the reply be lost', async () => {
    const { service, sessions, signer } = setUp();
    const chosen = '8d3c2b1a-4e5f-4a6b-9c7d-0e1f2a3b4c5d';
    const pair = await service.issue(USER_1, later(), {}, chosen);
    expect(sessions.sessionOf(pair.refreshToken)!.id).toBe(chosen);
    expect(signer.signed).toEqual([['user-1', chosen]]);
  });

  it('refuses an id already in use with 400 VALIDATION_FAILED, and keeps the session under it', async () => {
    const { service, sessions } = setUp();
    const chosen = '8d3c2b1a-4e5f-4a6b-9c7d-0e1f2a3b4c5d';
    await service.issue(USER_1, later(), {}, chosen);
    await expect(service.issue(USER_2, later(), {}, chosen)).rejects.toMatchObject({ status: 400, code: 'VALIDATION_FAILED' });
    expect(sessions.sessions.get(chosen)).toMatchObject({ userId: 'user-1', revoked: false });
  });

  it('does not commit the session once the caller has stopped waiting (504 UPSTREAM_TIMEOUT)', async () => {
    const { service, sessions, signer } = setUp();
    await expect(service.issue(USER_1, passed())).rejects.toMatchObject({ status: 504, code: 'UPSTREAM_TIMEOUT' });
    expect(sessions.sessions.size).toBe(0);
    expect(signer.signed).toHaveLength(0);
  });

  it('ends, unused, a session whose commit outlasted the deadline, and signs nothing for it', async () => {
    const { service, sessions, signer } = setUp();
    sessions.commitMs = 120;
    await expect(service.issue(USER_1, new Deadline(Date.now() + 60))).rejects.toMatchObject({ code: 'UPSTREAM_TIMEOUT' });
    expect([...sessions.sessions.values()].map((session) => session.revoked)).toEqual([true]);
    expect(signer.signed).toHaveLength(0);
  });
});

describe('SessionsService.refresh', () => {
  it('rotates: spends the presented token and answers a new one for the same session, with its user', async () => {
    const { service, sessions, signer } = setUp();
    const issued = await service.issue(USER_1);
    const { id: sessionId } = sessions.sessionOf(issued.refreshToken)!;
    const before = Date.now();

    const refreshed = await service.refresh(issued.refreshToken, later());

    expect(refreshed).toMatchObject({ userId: 'user-1', accessToken: `access(user-1/${sessionId})` });
    expect(refreshed.refreshToken).not.toBe(issued.refreshToken);
    expect(sessions.sessionOf(issued.refreshToken)!.token.used).toBe(true);
    const next = sessions.sessionOf(refreshed.refreshToken)!;
    expect(next).toMatchObject({ id: sessionId, token: { used: false } });
    expect(next.token.expiresAt.getTime()).toBeGreaterThanOrEqual(before + REFRESH_TOKEN_TTL * 1000);
    expect(signer.signed.at(-1)).toEqual(['user-1', sessionId]);
    await expect(service.refresh(refreshed.refreshToken)).resolves.toMatchObject({ userId: 'user-1' });
  });

  it('treats a spent token presented again as theft: revokes its session and answers 401 REFRESH_TOKEN_REUSED', async () => {
    const { service, sessions } = setUp();
    const issued = await service.issue(USER_1);
    const { id: sessionId } = sessions.sessionOf(issued.refreshToken)!;
    const rotated = await service.refresh(issued.refreshToken);

    await expect(service.refresh(issued.refreshToken)).rejects.toMatchObject({ status: 401, code: 'REFRESH_TOKEN_REUSED' });

    expect(sessions.revoked).toEqual([sessionId]);
    expect(sessions.sessions.get(sessionId)!.revoked).toBe(true);
    await expect(service.refresh(rotated.refreshToken)).rejects.toMatchObject({ status: 401, code: 'INVALID_REFRESH_TOKEN' });
    expect(warn).toHaveBeenCalledWith(expect.stringContaining(sessionId));
    expect(JSON.stringify(warn.mock.calls)).not.toContain(issued.refreshToken);
  });

  it('answers 401 INVALID_REFRESH_TOKEN to an unknown token, revoking nothing', async () => {
    const { service, sessions } = setUp();
    await service.issue(USER_1);
    await expect(service.refresh('not-a-token')).rejects.toMatchObject({ status: 401, code: 'INVALID_REFRESH_TOKEN' });
    expect(sessions.revoked).toEqual([]);
  });

  it('answers 401 INVALID_REFRESH_TOKEN to the token of a revoked session, revoking nothing more', async () => {
    const { service, sessions } = setUp();
    const issued = await service.issue(USER_1);
    await service.revoke(issued.refreshToken);
    const revokesBefore = sessions.revoked.length;
    await expect(service.refresh(issued.refreshToken)).rejects.toMatchObject({ status: 401, code: 'INVALID_REFRESH_TOKEN' });
    expect(sessions.revoked).toHaveLength(revokesBefore);
  });

  it('answers 401 INVALID_REFRESH_TOKEN to an expired token without revoking its session', async () => {
    const { service, sessions } = setUp();
    const issued = await service.issue(USER_1);
    const session = sessions.sessionOf(issued.refreshToken)!;
    session.token.expiresAt = new Date(Date.now() - 1);
    await expect(service.refresh(issued.refreshToken)).rejects.toMatchObject({ status: 401, code: 'INVALID_REFRESH_TOKEN' });
    expect(sessions.revoked).toEqual([]);
    expect(sessions.sessions.get(session.id)!.revoked).toBe(false);
  });

  it('does not commit the rotation once the caller has stopped waiting, so the token stays good for a retry', async () => {
    const { service, sessions, signer } = setUp();
    const issued = await service.issue(USER_1);
    const signedBefore = signer.signed.length;

    await expect(service.refresh(issued.refreshToken, passed())).rejects.toMatchObject({ status: 504, code: 'UPSTREAM_TIMEOUT' });

    expect(signer.signed).toHaveLength(signedBefore);
    expect(sessions.tokens.size).toBe(1);
    await expect(service.refresh(issued.refreshToken, later())).resolves.toMatchObject({ userId: 'user-1' });
  });

  it('takes back a rotation whose commit outlasted the deadline, so the retry is not taken for theft', async () => {
    const { service, sessions, signer } = setUp();
    const issued = await service.issue(USER_1);
    const signedBefore = signer.signed.length;
    sessions.commitMs = 120;

    await expect(service.refresh(issued.refreshToken, new Deadline(Date.now() + 60))).rejects.toMatchObject({ code: 'UPSTREAM_TIMEOUT' });

    expect(signer.signed).toHaveLength(signedBefore);
    expect(sessions.tokens.size).toBe(1);
    sessions.commitMs = 0;
    await expect(service.refresh(issued.refreshToken, later())).resolves.toMatchObject({ userId: 'user-1' });
    expect(sessions.revoked).toEqual([]);
  });
});

describe('SessionsService.revoke', () => {
  it('ends the session of a known token once, then answers revoked: false', async () => {
    const { service, sessions } = setUp();
    const issued = await service.issue(USER_1);
    await expect(service.revoke(issued.refreshToken)).resolves.toEqual({ revoked: true });
    expect(sessions.sessionOf(issued.refreshToken)!.revoked).toBe(true);
    await expect(service.revoke(issued.refreshToken)).resolves.toEqual({ revoked: false });
  });

  it('answers revoked: false for an unknown token, looking it up by its hash only', async () => {
    const { service, sessions } = setUp();
    await expect(service.revoke('not-a-token')).resolves.toEqual({ revoked: false });
    expect(sessions.lookedUp).toEqual([hashRefreshToken('not-a-token')]);
    expect(sessions.revoked).toEqual([]);
  });

  it('ends the session with a token already spent by rotation (logout with a stale token)', async () => {
    const { service, sessions } = setUp();
    const issued = await service.issue(USER_1);
    const rotated = await service.refresh(issued.refreshToken);
    await expect(service.revoke(issued.refreshToken)).resolves.toEqual({ revoked: true });
    await expect(service.refresh(rotated.refreshToken)).rejects.toMatchObject({ code: 'INVALID_REFRESH_TOKEN' });
    expect(sessions.sessions.size).toBe(1);
  });
});

describe('the device a session was signed in from', () => {
  it('is recorded at issue, with lastUsedAt set then', async () => {
    const { service, sessions } = setUp();
    const before = Date.now();
    const issued = await service.issue(USER_1, later(), { userAgent: 'curl/8.5.0', ip: '203.0.113.7' });
    const session = sessions.sessionOf(issued.refreshToken)!;
    expect(session).toMatchObject({ userAgent: 'curl/8.5.0', ip: '203.0.113.7' });
    expect(session.lastUsedAt.getTime()).toBeGreaterThanOrEqual(before);
  });

  it('moves lastUsedAt on every refresh and takes the device as reported then, keeping what is not reported', async () => {
    const { service, sessions } = setUp();
    const issued = await service.issue(USER_1, later(), { userAgent: 'phone/1', ip: '203.0.113.7' });
    const session = sessions.sessionOf(issued.refreshToken)!;
    session.lastUsedAt = new Date(Date.now() - 60_000);

    const refreshed = await service.refresh(issued.refreshToken, later(), { ip: '198.51.100.2' });

    expect(sessions.sessions.get(session.id)).toMatchObject({ userAgent: 'phone/1', ip: '198.51.100.2' });
    expect(sessions.sessions.get(session.id)!.lastUsedAt.getTime()).toBeGreaterThan(Date.now() - 1_000);
    await service.refresh(refreshed.refreshToken, later(), { userAgent: 'phone/2' });
    expect(sessions.sessions.get(session.id)).toMatchObject({ userAgent: 'phone/2', ip: '198.51.100.2' });
  });
});

describe('SessionsService.list', () => {
  it("answers the user's live sessions only, as ISO dates, marking exactly the caller's own as current", async () => {
    const { service, sessions } = setUp();
    const phone = await service.issue(USER_1, later(), { userAgent: 'phone', ip: '203.0.113.7' });
    const laptop = await service.issue(USER_1, later(), { userAgent: 'laptop' });
    const loggedOut = await service.issue(USER_1);
    await service.revoke(loggedOut.refreshToken);
    const expired = await service.issue(USER_1);
    sessions.sessionOf(expired.refreshToken)!.token.expiresAt = new Date(Date.now() - 1);
    await service.issue(USER_2);
    const phoneId = sessions.sessionOf(phone.refreshToken)!.id;
    const laptopId = sessions.sessionOf(laptop.refreshToken)!.id;

    const listed = await service.list('user-1', laptopId);

    expect(listed).toHaveLength(2);
    expect(listed).toEqual(
      expect.arrayContaining([
        {
          id: phoneId,
          createdAt: expect.any(String),
          lastUsedAt: expect.any(String),
          userAgent: 'phone',
          ip: '203.0.113.7',
          current: false,
        },
        { id: laptopId, createdAt: expect.any(String), lastUsedAt: expect.any(String), userAgent: 'laptop', ip: null, current: true },
      ]),
    );
    expect(new Date(listed[0].createdAt).toISOString()).toBe(listed[0].createdAt);
  });

  it('marks none current when the caller’s own session has ended', async () => {
    const { service, sessions } = setUp();
    const mine = await service.issue(USER_1);
    await service.issue(USER_1);
    const mineId = sessions.sessionOf(mine.refreshToken)!.id;
    await service.revoke(mine.refreshToken);
    const listed = await service.list('user-1', mineId);
    expect(listed).toHaveLength(1);
    expect(listed[0].current).toBe(false);
  });
});

describe('SessionsService.revokeOwn', () => {
  it("ends the user's own live session, so its refresh token stops working, and leaves the others", async () => {
    const { service, sessions } = setUp();
    const one = await service.issue(USER_1);
    const other = await service.issue(USER_1);
    const id = sessions.sessionOf(one.refreshToken)!.id;

    await expect(service.revokeOwn('user-1', id)).resolves.toEqual({ revoked: true });

    await expect(service.refresh(one.refreshToken)).rejects.toMatchObject({ code: 'INVALID_REFRESH_TOKEN' });
    await expect(service.refresh(other.refreshToken)).resolves.toMatchObject({ userId: 'user-1' });
  });

  it("answers the same 404 NOT_FOUND for an unknown, an ended and another user's session, touching none", async () => {
    const { service, sessions } = setUp();
    const theirs = await service.issue(USER_2);
    const ended = await service.issue(USER_1);
    await service.revoke(ended.refreshToken);
    const theirId = sessions.sessionOf(theirs.refreshToken)!.id;
    const endedId = sessions.sessionOf(ended.refreshToken)!.id;

    const errors = await Promise.all(
      ['0b5a3c1e-8f5e-4a7c-9a51-1f0e7d6c2b3a', endedId, theirId].map((id) =>
        service.revokeOwn('user-1', id).catch((error: unknown) => error),
      ),
    );

    for (const error of errors) expect(error).toMatchObject({ status: 404, code: 'NOT_FOUND', message: 'No such session' });
    expect(sessions.sessions.get(theirId)!.revoked).toBe(false);
    await expect(service.refresh(theirs.refreshToken)).resolves.toMatchObject({ userId: 'user-2' });
  });
});

describe('SessionsService credentials version', () => {
  it('stores the count a session began under, and answers it with every refresh', async () => {
    const { service } = setUp();
    const issued = await service.issue({ userId: 'user-1', credentialsVersion: 3 });
    const refreshed = await service.refresh(issued.refreshToken);
    expect(refreshed).toMatchObject({ userId: 'user-1', credentialsVersion: 3 });
    await expect(service.refresh(refreshed.refreshToken)).resolves.toMatchObject({ credentialsVersion: 3 });
  });
});

describe('SessionsService.revokeAll', () => {
  it('ends every session of the user but the one kept, and no one else’s', async () => {
    const { service, sessions } = setUp();
    const kept = await service.issue(USER_1);
    const [a, b] = [await service.issue(USER_1), await service.issue(USER_1)];
    const theirs = await service.issue(USER_2);
    const keptId = sessions.sessionOf(kept.refreshToken)!.id;

    await expect(service.revokeAll('user-1', { sessionId: keptId, credentialsVersion: 1 })).resolves.toEqual({ revoked: 2 });

    for (const token of [a, b]) await expect(service.refresh(token.refreshToken)).rejects.toMatchObject({ code: 'INVALID_REFRESH_TOKEN' });
    // The kept session goes on under the password change's count.
    await expect(service.refresh(kept.refreshToken)).resolves.toMatchObject({ userId: 'user-1', credentialsVersion: 1 });
    await expect(service.refresh(theirs.refreshToken)).resolves.toMatchObject({ userId: 'user-2' });
  });

  it('ends them all without an exception, and then has nothing left to end', async () => {
    const { service } = setUp();
    const tokens = [await service.issue(USER_1), await service.issue(USER_1)];
    await expect(service.revokeAll('user-1')).resolves.toEqual({ revoked: 2 });
    for (const token of tokens) await expect(service.refresh(token.refreshToken)).rejects.toMatchObject({ code: 'INVALID_REFRESH_TOKEN' });
    await expect(service.revokeAll('user-1')).resolves.toEqual({ revoked: 0 });
  });
});
