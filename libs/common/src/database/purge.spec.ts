import type { DataSource } from 'typeorm';
import { Purge } from './purge.js';

/** A connection that hands out the advisory lock or not, and answers each DELETE with the next count. */
function fakeDatabase(locked: boolean, affected: number[]) {
  const deletes: unknown[][] = [];
  const runner = {
    connect: async () => undefined,
    release: async () => undefined,
    query: async (sql: string, params: unknown[]) => {
      if (sql.includes('pg_try_advisory_lock')) return [{ locked }];
      if (sql.includes('pg_advisory_unlock')) return [];
      deletes.push(params);
      return { affected: affected.shift() ?? 0 };
    },
  };
  return { dataSource: { createQueryRunner: () => runner } as unknown as DataSource, deletes };
}

const config = { PURGE_AFTER_DAYS: 2, PURGE_INTERVAL_S: 3600 };

describe('Purge', () => {
  it('deletes in batches until one comes back short, for each rule, with its own parameters', async () => {
    const { dataSource, deletes } = fakeDatabase(true, [1000, 1000, 3, 0]);
    const rules = [
      { name: 'links', sql: 'DELETE links' },
      { name: 'sessions', sql: 'DELETE sessions', params: [60] },
    ];
    await expect(new Purge(dataSource, rules, config).run()).resolves.toEqual({ links: 2003, sessions: 0 });
    expect(deletes).toEqual([
      [1000, 172_800],
      [1000, 172_800],
      [1000, 172_800],
      [1000, 172_800, 60],
    ]);
  });

  it('skips the round while another replica holds the lock', async () => {
    const { dataSource, deletes } = fakeDatabase(false, [5]);
    await expect(new Purge(dataSource, [{ name: 'links', sql: 'DELETE links' }], config).run()).resolves.toBeUndefined();
    expect(deletes).toEqual([]);
  });
});
