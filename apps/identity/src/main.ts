import 'reflect-metadata';
import { run, startMicroservice } from '#common/bootstrap';
import { loadConfig } from '#common/config';
import { IdentityConfig } from './identity.config.js';
import { IdentityModule } from './identity.module.js';

run('identity', async () => {
  const config = loadConfig(IdentityConfig);
  const endpoint = { host: config.IDENTITY_HOST, port: config.IDENTITY_PORT, metricsPort: config.IDENTITY_METRICS_PORT };
  await startMicroservice('identity', IdentityModule.forRoot(config), endpoint, config);
});
