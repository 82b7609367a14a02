import { postgresOptions, type PostgresOptions } from '#common/database';
import { SigningKey } from '../keys/signing-key.entity.js';
import { VerificationKey } from '../keys/verification-key.entity.js';
import { RefreshToken } from '../sessions/refresh-token.entity.js';
import { Session } from '../sessions/session.entity.js';
import { CreateIdentity1763769600000 } from './migrations/1763769600000-CreateIdentity.js';
import { SessionDevices1764547200000 } from './migrations/1764547200000-SessionDevices.js';
import { VerificationKeys1764547200001 } from './migrations/1764547200001-VerificationKeys.js';
import { SessionCredentialsVersion1796083200000 } from './migrations/1796083200000-SessionCredentialsVersion.js';

export function identityDatabaseOptions(url: string): PostgresOptions {
  return postgresOptions({
    url,
    application: 'gatehouse-identity',
    entities: [SigningKey, VerificationKey, Session, RefreshToken],
    migrations: [
      CreateIdentity1763769600000,
      SessionDevices1764547200000,
      VerificationKeys1764547200001,
      SessionCredentialsVersion1796083200000,
    ],
  });
}
