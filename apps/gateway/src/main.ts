import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { announceReady, run, stopGracefully } from '#common/bootstrap';
import { loadConfig } from '#common/config';
import { createValidationPipe } from '#common/errors';
import { collectProcessMetrics, requestIdFrom, serveMetrics } from '#common/observability';
import { Logger, PinoLogger } from 'nestjs-pino';
import { setupSwagger } from './docs/swagger.js';
import { GatewayConfig } from './gateway.config.js';
import { GatewayModule } from './gateway.module.js';
import { traceRequests } from './observability/request-tracing.js';
import { FrameworkErrors, MAX_PARAM_LENGTH } from './errors/framework-errors.js';
import { HttpErrorFilter } from './errors/http-error.filter.js';
import { secureHttp } from './security/http-security.js';

run('gateway', async () => {
  const config = loadConfig(GatewayConfig);
  collectProcessMetrics('gateway');
  const frameworkErrors = new FrameworkErrors();
  const adapter = new FastifyAdapter({
    bodyLimit: config.BODY_LIMIT_BYTES,
    trustProxy: config.trustProxy,
    genReqId: requestIdFrom,
    routerOptions: { maxParamLength: MAX_PARAM_LENGTH },
    frameworkErrors: frameworkErrors.answer,
  });
  const app = await NestFactory.create<NestFastifyApplication>(GatewayModule.forRoot(config), adapter, {
    bufferLogs: true,
    abortOnError: false,
    // Fastify's own JSON parser only: no form bodies, which browsers could post cross-site without a preflight.
    bodyParser: false,
  });
  app.useLogger(app.get(Logger));
  // Before any route exists, so that every route, Swagger's included, gets these hooks.
  frameworkErrors.alsoRun(await secureHttp(app, config));
  frameworkErrors.alsoRun(traceRequests(app.getHttpAdapter().getInstance(), PinoLogger.root));
  app.useGlobalPipes(createValidationPipe());
  app.useGlobalFilters(new HttpErrorFilter());
  // Its own port, never the public one; started before the signal handler that closes it.
  const metrics = await serveMetrics(config.GATEWAY_HOST, config.GATEWAY_METRICS_PORT);
  // Fastify's close stops accepting and waits for requests in flight.
  stopGracefully('gateway', async () => {
    await app.close();
    metrics?.close();
  });
  if (config.DOCS_ENABLED) setupSwagger(app);
  await app.listen(config.GATEWAY_PORT, config.GATEWAY_HOST);
  announceReady('gateway', `http://${config.GATEWAY_HOST}:${config.GATEWAY_PORT}`);
});
