import { jest } from '@jest/globals';
import { Logger } from '@nestjs/common';
import { AppError } from '#common';
import { ErrorCode, IdentityPatterns, UserPatterns, type SessionOwner } from '#contracts';
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
  constructor(private readonly answers: Record<string, () => unknown>) {}
  async send(...args: unknown[]): Promise<unknown> {
    this.calls.push(args);
    return this.answers[args[0] as string]();
  }
}

function setUp(issue: () => unknown, discard: () => unknown = () => ({ discarded: true })) {
  const users = new FakeService({ [UserPatterns.Register]: () => owner, [UserPatterns.DiscardRegistration]: discard });
  const identity = new FakeService({ [IdentityPatterns.IssueTokens]: issue });
  const service = new SessionsService(users as unknown as UserClient, identity as unknown as IdentityClient);
  return { users, identity, service };
}

describe('SessionsService.register', () => {
  it('answers the account with its first session, and undoes nothing', async () => {
    const { users, service } = setUp(() => tokens);
    const response = await service.register(registration, {});
    expect(response).toEqual({ user: expect.objectContaining({ id: owner.id, username: owner.username }), ...tokens });
    expect(response.user).not.toHaveProperty('credentialsVersion');
    expect(users.calls.map(([pattern]) => pattern)).toEqual([UserPatterns.Register]);
  });

  it('discards the account, as a clean-up, when no session can begin for it, and answers the error', async () => {
    const down = new AppError(ErrorCode.ServiceUnavailable, 'The identity service is unavailable');
    const { users, service } = setUp(() => {
      throw down;
    });
    await expect(service.register(registration, {})).rejects.toBe(down);
    expect(users.calls[1]).toEqual([UserPatterns.DiscardRegistration, { id: owner.id }, { retry: true, cleanup: true }]);
  });

  it('answers the original error when the discard fails too, and logs the account left behind', async () => {
    const timeout = new AppError(ErrorCode.UpstreamTimeout, 'The identity service did not answer in time');
    const warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    const { service } = setUp(
      () => {
        throw timeout;
      },
      () => {
        throw new AppError(ErrorCode.ServiceUnavailable, 'The user service is unavailable');
      },
    );
    await expect(service.register(registration, {})).rejects.toBe(timeout);
    expect(warn).toHaveBeenCalledWith(expect.stringContaining(owner.id));
    warn.mockRestore();
  });
});
