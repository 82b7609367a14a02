import { setTimeout as sleep } from 'node:timers/promises';
import type { DynamicModule } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { MicroserviceOptions } from '@nestjs/microservices';
import type { BaseEnv } from '../config/base.env.js';
import { createValidationPipe } from '../errors/validation.js';
import { RpcErrorFilter } from '../errors/rpc-error.filter.js';
import { tcpServerOptions, type TcpEndpoint } from '../transport/tcp.js';
import { collectProcessMetrics, serveMetrics } from '../observability/metrics.js';
import { InFlight } from './in-flight.js';
import { announceReady } from './run.js';
import { stopGracefully } from './shutdown.js';
import { Logger } from 'nestjs-pino';

const DRAIN_TIMEOUT_MS = 7_000;

/**
 * Starts a TCP microservice the way both services need it: validated payloads,
 * typed errors, graceful stop. The module must import `loggingModule(app, env, 'microservice')`.
 */
export async function startMicroservice(
  app: string,
  module: DynamicModule,
  endpoint: TcpEndpoint & { metricsPort: number },
  env: BaseEnv,
): Promise<void> {
  collectProcessMetrics(app);
  const service = await NestFactory.createMicroservice<MicroserviceOptions>(module, {
    ...tcpServerOptions({ host: endpoint.host, port: endpoint.port }, env),
    bufferLogs: true,
    // Start-up errors reach run(), which prints a configuration error as one line.
    abortOnError: false,
  });
  service.useLogger(service.get(Logger));
  const inFlight = new InFlight();
  service.useGlobalPipes(createValidationPipe());
  service.useGlobalFilters(new RpcErrorFilter());
  service.useGlobalInterceptors(inFlight);
  // Started before the signal handler that closes it is registered.
  const metrics = await serveMetrics(endpoint.host, endpoint.metricsPort);
  // Refuse new messages, let started ones finish and their replies flush, then close transport and pool.
  stopGracefully(app, async () => {
    await inFlight.drain(DRAIN_TIMEOUT_MS);
    await sleep(50);
    await service.close();
    metrics?.close();
  });
  await service.listen();
  announceReady(app, `tcp://${endpoint.host}:${endpoint.port}`);
}
