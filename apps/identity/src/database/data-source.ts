// The TypeORM CLI's entry for this service: `npm run migration:run:identity`.
import { loadConfig } from '#common/config';
import { DataSource } from 'typeorm';
import { IdentityConfig } from '../identity.config.js';
import { identityDatabaseOptions } from './database.options.js';

export default new DataSource(identityDatabaseOptions(loadConfig(IdentityConfig).IDENTITY_DATABASE_URL));
