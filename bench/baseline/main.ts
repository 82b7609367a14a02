// The one-process baseline: a minimal NestJS app on Fastify doing the same
// work as the system for POST /register and GET /me, without the TCP hops.
import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { createValidationPipe } from '#common/errors';
import { announceReady, readYardstickEnv } from '../yardstick-env.js';
import { AppErrorFilter } from './app-error.filter.js';
import { BaselineModule } from './baseline.module.js';

const env = readYardstickEnv();
const app = await NestFactory.create<NestFastifyApplication>(BaselineModule.forRoot(env), new FastifyAdapter(), {
  logger: ['error', 'warn'],
  bodyParser: false,
});
// The gateway's validation: same DTO (RegisterUserDto), same pipe.
app.useGlobalPipes(createValidationPipe());
app.useGlobalFilters(new AppErrorFilter());
// As the gateway does: stop accepting, finish what is in flight, close the pool, exit.
process.once('SIGTERM', () => void app.close().finally(() => process.exit(0)));
await app.listen(env.port, '127.0.0.1');
announceReady('baseline');
