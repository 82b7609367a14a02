import 'reflect-metadata';
import { loadConfig, run, startMicroservice } from '#common';
import { UserConfig } from './user.config.js';
import { UserModule } from './user.module.js';

run('user', async () => {
  const config = loadConfig(UserConfig);
  await startMicroservice('user', UserModule.forRoot(config), { host: config.USER_HOST, port: config.USER_PORT }, config);
});
