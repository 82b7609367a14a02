import { randomUUID } from 'node:crypto';
import type { UserView } from '#contracts/user';
import { UserViewsLoader } from './user-views.loader.js';
import type { UsersRepository } from './users.repository.js';

const view = (username: string): UserView => ({
  id: randomUUID(),
  username,
  email: null,
  emailVerifiedAt: null,
  createdAt: new Date(0).toISOString(),
  lastLoginAt: null,
});

/** The repository's batched SELECT over a few rows; `failure` makes it fail like a PostgreSQL that is down. */
class FakeRepository {
  readonly queries: string[][] = [];
  failure?: Error;
  constructor(readonly rows: UserView[]) {}

  async findViewsByIds(ids: readonly string[]): Promise<UserView[]> {
    this.queries.push([...ids]);
    if (this.failure) throw this.failure;
    return this.rows.filter((row) => ids.includes(row.id)).reverse();
  }
}

function setUp() {
  const rows = [view('ada'), view('grace'), view('linus')];
  const repository = new FakeRepository(rows);
  return { rows, repository, loader: new UserViewsLoader(repository as unknown as UsersRepository) };
}

describe('UserViewsLoader', () => {
  it('answers the lookups of one turn with one query, each with its own user (or none)', async () => {
    const { rows, repository, loader } = setUp();
    const unknown = randomUUID();

    const found = await Promise.all([loader.find(rows[0].id), loader.find(unknown), loader.find(rows[2].id), loader.find(rows[0].id)]);

    expect(found).toEqual([rows[0], undefined, rows[2], rows[0]]);
    expect(repository.queries).toEqual([[rows[0].id, unknown, rows[2].id, rows[0].id]]);
  });

  it('remembers nothing: a later lookup reads the row again', async () => {
    const { rows, repository, loader } = setUp();
    await loader.find(rows[1].id);
    repository.rows[1] = { ...rows[1], lastLoginAt: new Date(1).toISOString() };

    expect(await loader.find(rows[1].id)).toMatchObject({ lastLoginAt: new Date(1).toISOString() });
    expect(repository.queries).toHaveLength(2);
  });

  it('fails every lookup of a batch whose query fails, with its error', async () => {
    const { rows, repository, loader } = setUp();
    repository.failure = Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });

    const results = await Promise.allSettled([loader.find(rows[0].id), loader.find(rows[1].id)]);
    expect(results).toEqual([
      { status: 'rejected', reason: repository.failure },
      { status: 'rejected', reason: repository.failure },
    ]);
  });

  it('splits a crowd into queries of at most 100', async () => {
    const { repository, loader } = setUp();
    await Promise.all(Array.from({ length: 250 }, () => loader.find(randomUUID())));
    expect(repository.queries.map((ids) => ids.length)).toEqual([100, 100, 50]);
  });
});
