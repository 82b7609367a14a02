import { postgresOptions, type PostgresOptions } from '#common/database';
import { User } from '../users/user.entity.js';
import { CreateUsers1763769600000 } from './migrations/1763769600000-CreateUsers.js';
import { AccountLifecycle1764547200000 } from './migrations/1764547200000-AccountLifecycle.js';
import { CredentialsVersion1796083200000 } from './migrations/1796083200000-CredentialsVersion.js';

export function userDatabaseOptions(url: string): PostgresOptions {
  return postgresOptions({
    url,
    application: 'gatehouse-user',
    entities: [User],
    migrations: [CreateUsers1763769600000, AccountLifecycle1764547200000, CredentialsVersion1796083200000],
  });
}
