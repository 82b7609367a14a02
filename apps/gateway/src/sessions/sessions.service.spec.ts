import { jest } from '@jest/globals';
import { Logger } from '@nestjs/common';
import { AppError } from '#common/errors';
import { NoReply } from '#common/transport';
import { ErrorCode } from '#contracts/errors';
import { IdentityPatterns } from '#contracts/identity';
import { UserPatterns, type SessionOwner } from '#contracts/user';
import type { IdentityClient, UserClient } from '../rpc/clients.js';
import { SessionsService } from './sessions.service.js';

const owner: SessionOwner = {
  id: '5f0c6a8e-2b1d-4c3e-9f7a-6d5e4c3b2a19',
  username: 'alice',
  email: null,
  emailVerifiedAt: null,
  createdAt: '2026-12-01T00:00:00.000Z',
  lastLoginAt: null,
  credentialsVersion: 0,
};
const tokens = { accessToken: 'a', accessExpire: 1, refreshAfter: 1, refreshToken: 'r' };
const registration = { username: 'alice', password: 'correct horse battery staple' };

/** A service that records its calls and answers each pattern from `answers` (a function throws or answers). */
class FakeService {
  readonly calls: unknown[][] = [];
  constructor(private readonly answers: Record<string, (payload: any) => unknown>) {}
  async send(...args: unknown[]): Promise<unknown> {
    this.calls.push(args);
    return this.answers[args[0] as string](args[1]);
  }
}

/** An answer that fails with `error`. */
const throwing = (error: unknown) => () => {
  throw error;
};

/** The two ways a reply never comes, from `service`: each may leave behind what the call did. */
const noReplies = (service: string): Array<[string, NoReply]> => [
  ['does not come in time', new NoReply(ErrorCode.UpstreamTimeout, `The ${service} service did not answer in time`, Date.now())],
  ['is lost with its connection', new NoReply(ErrorCode.ServiceUnavailable, `The ${service} service is unavailable`, Date.now())],
];

/** Runs `flow` over these fakes, which must fail with `error`, and lets the clean-ups it leaves start. */
async function failing(users: FakeService, identity: FakeService, flow: (service: SessionsService) => Promise<unknown>, error: AppError) {
  const service = new SessionsService(users as unknown as UserClient, identity as unknown as IdentityClient);
  await expect(flow(service)).rejects.toBe(error);
  await new Promise((resolve) => setImmediate(resolve));
}

function setUp(issue: () => unknown, discard: () => unknown = () => ({ discarded: true })) {
  const users = new FakeService({
    // The user service makes the account under the id the gateway chose.
    [UserPatterns.Register]: ({ id }: { id: string }) => ({ ...owner, id }),
    [UserPatterns.DiscardRegistration]: discard,
  });
  const identity = new FakeService({ [IdentityPatterns.IssueTokens]: issue });
  const service = new SessionsService(users as unknown as UserClient, identity as unknown as IdentityClient);
  return { users, identity, service };
}

describe('SessionsService.register', () => {
  it('answers the account with its first session, and undoes nothing', async () => {
    const { users, service } = setUp(() => tokens);
    const response = await service.register(registration, {});
    expect(response).toEqual({ user: expect.objectContaining({ username: owner.username }), ...tokens });
    expect(response.user).not.toHaveProperty('credentialsVersion');
    expect(users.calls.map(([pattern]) => pattern)).toEqual([UserPatterns.Register]);
  });

  it('discards the account, as a clean-up, when no session can begin for it, and answers the error', async () => {
    const down = new AppError(ErrorCode.ServiceUnavailable, 'The identity service is unavailable');
    const { users, service } = setUp(() => {
      throw down;
    });
    await expect(service.register(registration, {})).rejects.toBe(down);
    const [[, sent], discard] = users.calls as [[string, { id: string }], unknown[]];
    expect(discard).toEqual([UserPatterns.DiscardRegistration, { id: sent.id }, { retry: true, cleanup: true }]);
  });

  /** A register call that fails with `error`, and what the gateway sent the user service after it. */
  async function registerFailingWith(error: AppError) {
    const users = new FakeService({
      [UserPatterns.Register]: throwing(error),
      [UserPatterns.DiscardRegistration]: () => ({ discarded: true }),
    });
    await failing(users, new FakeService({}), (service) => service.register(registration, {}), error);
    return users.calls as [[string, { id: string }], ...unknown[][]];
  }

  it.each(noReplies('user'))('names the account itself, and discards it by that name when the reply %s', async (_, error) => {
    const [[, sent], discard] = await registerFailingWith(error);
    expect(sent).toEqual({ ...registration, id: expect.stringMatching(/^[0-9a-f-]{36}$/) });
    expect(discard).toEqual([UserPatterns.DiscardRegistration, { id: sent.id }, { retry: true, cleanup: true }]);
  });

  it('waits for the call to settle before discarding: sooner, it could overtake the INSERT still under way', async () => {
    const calls = await registerFailingWith(new NoReply(ErrorCode.ServiceUnavailable, 'The user service is unavailable', Date.now() + 80));
    expect(calls).toHaveLength(1);
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect(calls).toHaveLength(2);
  });

  it.each([
    ['answered', new AppError(ErrorCode.UsernameTaken, 'That username is taken')],
    ['could not be reached', new AppError(ErrorCode.ServiceUnavailable, 'The user service is unavailable')],
  ])('discards nothing when the user service %s: it made no account', async (_, error) => {
    expect(await registerFailingWith(error)).toHaveLength(1);
  });

  it('answers the original error when the discard fails too, and logs the account left behind', async () => {
    const timeout = new AppError(ErrorCode.UpstreamTimeout, 'The identity service did not answer in time');
    const warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    const { users, service } = setUp(
      () => {
        throw timeout;
      },
      () => {
        throw new AppError(ErrorCode.ServiceUnavailable, 'The user service is unavailable');
      },
    );
    await expect(service.register(registration, {})).rejects.toBe(timeout);
    const [[, sent]] = users.calls as [[string, { id: string }]];
    expect(warn).toHaveBeenCalledWith(expect.stringContaining(sent.id));
    warn.mockRestore();
  });
});

describe('SessionsService.login', () => {
  const credentials = { username: 'alice', password: 'correct horse battery staple' };

  /** A login whose token issue fails with `error`, and what the gateway sent identity. */
  async function loginFailingWith(error: AppError, endSession: () => unknown = () => ({ revoked: true })) {
    const identity = new FakeService({ [IdentityPatterns.IssueTokens]: throwing(error), [IdentityPatterns.RevokeSession]: endSession });
    await failing(
      new FakeService({ [UserPatterns.VerifyCredentials]: () => owner }),
      identity,
      (service) => service.login(credentials, {}),
      error,
    );
    return identity.calls as [[string, { sessionId: string }], ...unknown[][]];
  }

  it.each(noReplies('identity'))('names the session itself, and ends it when identity’s reply %s', async (_, error) => {
    const [[, sent], end] = await loginFailingWith(error);
    expect(sent).toMatchObject({ userId: owner.id, sessionId: expect.stringMatching(/^[0-9a-f-]{36}$/) });
    expect(end).toEqual([IdentityPatterns.RevokeSession, { userId: owner.id, sessionId: sent.sessionId }, { retry: true, cleanup: true }]);
  });

  it.each([
    [
      'is silent when identity had no such session (it began none, or undid it itself)',
      new AppError(ErrorCode.NotFound, 'No such session'),
      0,
    ],
    ['logs a session it could not end', new AppError(ErrorCode.ServiceUnavailable, 'The identity service is unavailable'), 1],
  ])('%s', async (_, endFailure, warnings) => {
    const warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    const timeout = new NoReply(ErrorCode.UpstreamTimeout, 'The identity service did not answer in time', Date.now());
    expect(await loginFailingWith(timeout, throwing(endFailure))).toHaveLength(2);
    expect(warn).toHaveBeenCalledTimes(warnings);
    warn.mockRestore();
  });

  it('ends nothing when identity answered: it began no session', async () => {
    expect(await loginFailingWith(new AppError(ErrorCode.ServiceOverloaded, 'Too busy'))).toHaveLength(1);
  });
});
