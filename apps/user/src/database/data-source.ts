// The TypeORM CLI's entry for this service: `npm run migration:run:user`.
import { loadConfig } from '#common/config';
import { DataSource } from 'typeorm';
import { UserConfig } from '../user.config.js';
import { userDatabaseOptions } from './database.options.js';

export default new DataSource(userDatabaseOptions(loadConfig(UserConfig).USER_DATABASE_URL));
