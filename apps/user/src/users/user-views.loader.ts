import { Injectable } from '@nestjs/common';
import type { UserView } from '#contracts/user';
import DataLoader from 'dataloader';
import { UsersRepository } from './users.repository.js';

/** Lookups beyond this go in the next query. */
const MAX_BATCH = 100;

/**
 * The lookups of GET /me, batched: those that arrive in one turn of the event
 * loop go to PostgreSQL as one SELECT. Under load a query per lookup spent a
 * third of the service's CPU writing to PostgreSQL, and PostgreSQL as much
 * again waking up for it. Nothing is cached: each lookup reads the row as
 * committed when its batch runs, a moment after it arrived.
 */
@Injectable()
export class UserViewsLoader {
  private readonly loader: DataLoader<string, UserView | undefined>;

  constructor(private readonly users: UsersRepository) {
    this.loader = new DataLoader((ids) => this.lookUp(ids), {
      cache: false,
      maxBatchSize: MAX_BATCH,
      // After the I/O callbacks of this turn: a TCP read brings several calls, each its own callback's work.
      batchScheduleFn: (dispatch) => setImmediate(dispatch),
    });
  }

  find(id: string): Promise<UserView | undefined> {
    return this.loader.load(id);
  }

  private async lookUp(ids: readonly string[]): Promise<Array<UserView | undefined>> {
    const byId = new Map((await this.users.findViewsByIds(ids)).map((view) => [view.id, view]));
    return ids.map((id) => byId.get(id));
  }
}
