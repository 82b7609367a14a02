import 'reflect-metadata';
import { run, startMicroservice } from '#common/bootstrap';
import { loadConfig } from '#common/config';
import { UserConfig } from './user.config.js';
import { UserModule } from './user.module.js';

run('user', async () => {
  const config = loadConfig(UserConfig);
  const endpoint = { host: config.USER_HOST, port: config.USER_PORT, metricsPort: config.USER_METRICS_PORT };
  await startMicroservice('user', UserModule.forRoot(config), endpoint, config);
});
