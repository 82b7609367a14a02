import { AppError } from '#common/errors';
import { ErrorCode } from '#contracts/errors';
import { IdentityPatterns, type AccessClaims } from '#contracts/identity';
import { UserPatterns } from '#contracts/user';
import type { IdentityClient, UserClient } from '../rpc/clients.js';
import { UsersService } from '../users/users.service.js';
import { AccountSessionsService } from './account-sessions.service.js';

const claims: AccessClaims = { sub: '5f0c6a8e-2b1d-4c3e-9f7a-6d5e4c3b2a19', sid: '9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d', iat: 0, exp: 0 };

/** Records what would go to identity; answers like it. */
class FakeIdentity {
  readonly calls: unknown[][] = [];
  async send(...args: unknown[]): Promise<unknown> {
    this.calls.push(args);
    return args[0] === IdentityPatterns.ListSessions ? [] : { revoked: 1 };
  }
}

/** The user service: the token's account exists until `deleted`. */
class FakeUsers {
  readonly calls: unknown[][] = [];
  deleted = false;
  async send(...args: unknown[]): Promise<unknown> {
    this.calls.push(args);
    if (this.deleted) throw new AppError(ErrorCode.UserNotFound, 'No such user');
    return { id: claims.sub };
  }
}

function setUp() {
  const identity = new FakeIdentity();
  const users = new FakeUsers();
  const service = new AccountSessionsService(identity as unknown as IdentityClient, new UsersService(users as unknown as UserClient));
  return { identity, users, service };
}

describe('AccountSessionsService', () => {
  it("lists the token's user's sessions, telling identity which one is current", async () => {
    const { identity, service } = setUp();
    await service.list(claims);
    expect(identity.calls).toEqual([
      [IdentityPatterns.ListSessions, { userId: claims.sub, currentSessionId: claims.sid }, { retry: true }],
    ]);
  });

  it('ends one session of the token’s user only', async () => {
    const { identity, service } = setUp();
    const id = '0b5a3c1e-8f5e-4a7c-9a51-1f0e7d6c2b3a';
    await service.end(claims, id);
    expect(identity.calls).toEqual([[IdentityPatterns.RevokeSession, { userId: claims.sub, sessionId: id }]]);
  });

  it.each(['not-a-uuid', '', "1' OR '1'='1", '0b5a3c1e-8f5e-4a7c-9a51-1f0e7d6c2b3a0'])(
    'answers a malformed id (%j) with the 404 NOT_FOUND of an unknown one, without asking identity',
    async (id) => {
      const { identity, service } = setUp();
      await expect(service.end(claims, id)).rejects.toMatchObject({ status: 404, code: 'NOT_FOUND', message: 'No such session' });
      expect(identity.calls).toEqual([]);
    },
  );

  it('keeps the current session for scope=others and none for scope=all', async () => {
    const { identity, service } = setUp();
    await service.endAll(claims, 'others');
    await service.endAll(claims, 'all');
    expect(identity.calls).toEqual([
      [IdentityPatterns.RevokeUserSessions, { userId: claims.sub, exceptSessionId: claims.sid }],
      [IdentityPatterns.RevokeUserSessions, { userId: claims.sub, exceptSessionId: undefined }],
    ]);
  });

  it('asks the user service for the token’s account on every route', async () => {
    const { users, service } = setUp();
    await service.list(claims);
    await service.end(claims, '0b5a3c1e-8f5e-4a7c-9a51-1f0e7d6c2b3a');
    await service.endAll(claims, 'all');
    expect(users.calls).toEqual(Array(3).fill([UserPatterns.FindById, { id: claims.sub }, { retry: true }]));
  });

  it.each([
    ['lists', (service: AccountSessionsService) => service.list(claims)],
    ['ends one (even a malformed id)', (service: AccountSessionsService) => service.end(claims, 'not-a-uuid')],
    ['ends all', (service: AccountSessionsService) => service.endAll(claims, 'others')],
  ])('answers 401 and asks identity nothing when it %s for a deleted account', async (_, call) => {
    const { identity, users, service } = setUp();
    users.deleted = true;
    await expect(call(service)).rejects.toMatchObject({ status: 401, code: 'UNAUTHORIZED' });
    expect(identity.calls).toEqual([]);
  });
});
