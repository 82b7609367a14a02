import { setTimeout as sleep } from 'node:timers/promises';
import type { DynamicModule } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { MicroserviceOptions } from '@nestjs/microservices';
import { createValidationPipe } from '../errors/validation.js';
import { RpcErrorFilter } from '../errors/rpc-error.filter.js';
import { type TcpEndpoint } from '../transport/tcp.js';
import { serviceTransport, type TransportEnv } from '../transport/transport.js';
import { explainNatsRefusal } from '../transport/nats-url.js';
import { collectProcessMetrics, serveMetrics } from '../observability/metrics.js';
import { RefuseLateCalls } from '../overload/refuse-late-calls.js';
import { InFlight } from './in-flight.js';
import { announceReady } from './run.js';
import { stopGracefully } from './shutdown.js';
import { Logger, PinoLogger } from 'nestjs-pino';
import { LogMessages } from '../observability/message-logging.js';

const DRAIN_TIMEOUT_MS = 7_000;

/**
 * Starts a microservice (TCP or NATS, per TRANSPORT) the way every service needs it: validated payloads,
 * typed errors, graceful stop. The module must import `loggingModule(app, env)` (as `microserviceModule` does).
 */
export async function startMicroservice(
  app: string,
  module: DynamicModule,
  endpoint: TcpEndpoint & { metricsPort: number },
  env: TransportEnv,
): Promise<void> {
  collectProcessMetrics(app);
  const transport = serviceTransport(app, { host: endpoint.host, port: endpoint.port }, env);
  const service = await NestFactory.createMicroservice<MicroserviceOptions>(module, {
    ...transport.options,
    bufferLogs: true,
    // Start-up errors reach run(), which prints a configuration error as one line.
    abortOnError: false,
  });
  service.useLogger(service.get(Logger));
  const inFlight = new InFlight();
  service.useGlobalPipes(createValidationPipe());
  service.useGlobalFilters(new RpcErrorFilter());
  // Every message is logged, refusals too; late calls are refused before they count as in flight or reach a handler.
  service.useGlobalInterceptors(new LogMessages(PinoLogger.root), new RefuseLateCalls(), inFlight);
  // Started before the signal handler that closes it is registered.
  const metrics = await serveMetrics(endpoint.host, endpoint.metricsPort);
  // Stop taking messages (NATS: leave the queue group, so other replicas take them), refuse what still
  // arrives, let started ones finish and their replies flush, then close transport and pool.
  stopGracefully(app, async () => {
    await transport.stopTaking();
    await sleep(100);
    await inFlight.drain(DRAIN_TIMEOUT_MS);
    await sleep(50);
    await service.close();
    metrics?.close();
  });
  await service.listen().catch((error: unknown) => {
    throw explainNatsRefusal(error, env.NATS_URL);
  });
  announceReady(app, transport.where);
}
