import { EventEmitter } from 'node:events';
import pg, { type Pool, type QueryConfig } from 'pg';
import { Deadline } from '../overload/deadline.js';
import { queryInTime } from './postgres.js';

/** A pooled connection that records what it was sent and how it was given back. */
class FakeConnection extends EventEmitter {
  readonly sent: string[] = [];
  readonly released: (Error | undefined)[] = [];
  failure: Error | undefined;

  async query(query: QueryConfig) {
    if (this.failure) throw this.failure;
    this.sent.push(query.name!);
    return { rows: [{ ok: true }] };
  }

  release(error?: Error) {
    this.released.push(error);
  }
}

/** A pool whose connection is free only after `waitMs`, as when every connection is busy. */
const poolOf = (connection: FakeConnection, waitMs = 0) =>
  ({ connect: () => new Promise((resolve) => setTimeout(() => resolve(connection), waitMs)) }) as unknown as Pool;

const insert = { name: 'insert-user', text: 'INSERT …' };

describe('queryInTime', () => {
  it('checks the deadline once a connection is free, and then sends nothing if it has passed', async () => {
    const connection = new FakeConnection();
    const deadline = new Deadline(Date.now() + 20);
    await expect(queryInTime(poolOf(connection, 60), () => deadline.assertNotPassed('Registration'), insert)).rejects.toMatchObject({
      code: 'UPSTREAM_TIMEOUT',
    });
    expect(connection.sent).toEqual([]);
    expect(connection.released).toEqual([undefined]);
    expect(connection.listenerCount('error')).toBe(0);
  });

  it('sends the statement in time and gives the connection back fit for reuse', async () => {
    const connection = new FakeConnection();
    await expect(queryInTime(poolOf(connection), () => undefined, insert)).resolves.toMatchObject({ rows: [{ ok: true }] });
    expect(connection.sent).toEqual(['insert-user']);
    expect(connection.released).toEqual([undefined]);
  });

  it('keeps a connection after a statement PostgreSQL refused, and drops one that broke', async () => {
    const refused = new FakeConnection();
    refused.failure = new pg.DatabaseError('duplicate key value violates unique constraint', 0, 'error');
    await expect(queryInTime(poolOf(refused), () => undefined, insert)).rejects.toBe(refused.failure);
    expect(refused.released).toEqual([undefined]);

    const broken = new FakeConnection();
    broken.failure = new Error('Connection terminated unexpectedly');
    await expect(queryInTime(poolOf(broken), () => undefined, insert)).rejects.toBe(broken.failure);
    expect(broken.released).toEqual([broken.failure]);
  });
});
