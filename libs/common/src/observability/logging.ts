import { randomUUID } from 'node:crypto';
import type { DynamicModule, ExecutionContext } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import pino from 'pino';
import type { BaseEnv } from '../config/base.env.js';
import { incomingMetadata } from '../transport/call-metadata.js';
import { requestContext } from './request-context.js';

/** Never logged, wherever they appear in a log object. */
const REDACTED = [
  'req.headers.authorization',
  'req.headers.cookie',
  '*.password',
  '*.passwordHash',
  '*.refreshToken',
  '*.accessToken',
  '*.privateKey',
  // Single-use mail tokens (verification, reset) on their way to the mail service.
  '*.token',
];

function createPino(app: string, env: BaseEnv): pino.Logger {
  return pino({
    name: app,
    level: env.LOG_LEVEL === 'verbose' ? 'trace' : env.LOG_LEVEL,
    redact: { paths: REDACTED, censor: '[redacted]' },
    transport:
      env.LOG_FORMAT === 'pretty'
        ? { target: 'pino-pretty', options: { singleLine: true, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname,name' } }
        : undefined,
    // In the gateway, every line written while a request is handled carries its correlation id.
    mixin: () => {
      const reqId = requestContext.currentId();
      return reqId ? { reqId } : {};
    },
  });
}

/**
 * Structured logs for every app (pino through nestjs-pino): JSON, or pretty in
 * a terminal, secrets redacted. A service logs one line per message handled,
 * with its duration and `reqId`, the correlation id the gateway sends in the
 * packet's metadata. The gateway logs its requests from Fastify hooks instead
 * of Nest middleware (see its request tracing), so no middleware is applied here.
 */
export function loggingModule(app: string, env: BaseEnv, kind: 'http' | 'microservice'): DynamicModule {
  return LoggerModule.forRoot({
    forRoutes: [],
    pinoHttp: { logger: createPino(app, env), autoLogging: false },
    ...(kind === 'microservice' && {
      microservice: {
        genReqId: (context: ExecutionContext) => incomingMetadata(context).requestId ?? randomUUID(),
        quietRpcLogger: true,
      },
    }),
  });
}
