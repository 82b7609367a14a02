import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { announceReady, collectProcessMetrics, createValidationPipe, loadConfig, requestIdFrom, run, stopGracefully } from '#common';
import { Logger, PinoLogger } from 'nestjs-pino';
import { setupSwagger } from './docs/swagger.js';
import { GatewayConfig } from './gateway.config.js';
import { GatewayModule } from './gateway.module.js';
import { traceRequests } from './observability/request-tracing.js';
import { HttpErrorFilter } from './rpc/http-error.filter.js';

run('gateway', async () => {
  const config = loadConfig(GatewayConfig);
  collectProcessMetrics('gateway');
  const adapter = new FastifyAdapter({
    bodyLimit: config.BODY_LIMIT_BYTES,
    trustProxy: config.trustProxy,
    genReqId: requestIdFrom,
  });
  const app = await NestFactory.create<NestFastifyApplication>(GatewayModule.forRoot(config), adapter, {
    bufferLogs: true,
    abortOnError: false,
    // Fastify's own JSON parser only: no form bodies, which browsers could post cross-site without a preflight.
    bodyParser: false,
  });
  app.useLogger(app.get(Logger));
  traceRequests(app.getHttpAdapter().getInstance(), await app.resolve(PinoLogger));
  app.useGlobalPipes(createValidationPipe());
  app.useGlobalFilters(new HttpErrorFilter());
  // Fastify's close stops accepting and waits for requests in flight.
  stopGracefully('gateway', () => app.close());
  setupSwagger(app);
  await app.listen(config.GATEWAY_PORT, config.GATEWAY_HOST);
  announceReady('gateway', `http://${config.GATEWAY_HOST}:${config.GATEWAY_PORT}`);
});
