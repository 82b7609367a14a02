import type { DynamicModule } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { MicroserviceOptions } from '@nestjs/microservices';
import type { BaseEnv } from '../config/base.env.js';
import { createValidationPipe } from '../errors/validation.js';
import { RpcErrorFilter } from '../errors/rpc-error.filter.js';
import { tcpServerOptions, type TcpEndpoint } from '../transport/tcp.js';
import { announceReady } from './run.js';
import { createLogger } from './logger.js';

/** Starts a TCP microservice the way both services need it: validated payloads, typed errors, clean shutdown. */
export async function startMicroservice(app: string, module: DynamicModule, endpoint: TcpEndpoint, env: BaseEnv): Promise<void> {
  const service = await NestFactory.createMicroservice<MicroserviceOptions>(module, {
    ...tcpServerOptions(endpoint, env),
    logger: createLogger(app, env),
  });
  service.useGlobalPipes(createValidationPipe());
  service.useGlobalFilters(new RpcErrorFilter());
  service.enableShutdownHooks();
  await service.listen();
  announceReady(app, `tcp://${endpoint.host}:${endpoint.port}`);
}
