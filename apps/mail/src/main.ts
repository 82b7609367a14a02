import 'reflect-metadata';
import { run, startMicroservice } from '#common/bootstrap';
import { loadConfig } from '#common/config';
import { MailConfig } from './mail.config.js';
import { MailModule } from './mail.module.js';

run('mail', async () => {
  const config = loadConfig(MailConfig);
  const endpoint = { host: config.MAIL_HOST, port: config.MAIL_PORT, metricsPort: config.MAIL_METRICS_PORT };
  await startMicroservice('mail', MailModule.forRoot(config), endpoint, config);
});
