import { randomUUID } from 'node:crypto';
import type { DynamicModule, ExecutionContext } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import pino from 'pino';
import type { BaseEnv } from '../config/base.env.js';
import { AppError } from '../errors/app-error.js';
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

/**
 * Lines are gathered and written 4 KiB (or 50 ms) at a time, flushed at exit:
 * a write per line cost the gateway about a tenth of its CPU on GET /me.
 * A SIGKILL can lose the last 50 ms of lines.
 */
const BUFFERED_STDOUT = { dest: 1, minLength: 4096, periodicFlush: 50 };

function createPino(app: string, env: BaseEnv): pino.Logger {
  const options: pino.LoggerOptions = {
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
  };
  return env.LOG_FORMAT === 'pretty' ? pino(options) : pino(options, pino.destination(BUFFERED_STDOUT));
}

/**
 * A message handled is `info`; so is one answered with a refusal the service
 * gives on purpose (not found, wrong password, validation); a service that
 * cannot serve (overloaded, a dependency down) is `warn`; anything else is an `error`.
 */
function levelOf(error?: Error): pino.Level {
  if (error === undefined) return 'info';
  if (!(error instanceof AppError)) return 'error';
  return error.status >= 500 ? 'warn' : 'info';
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
        customLogLevel: (_context: ExecutionContext, error?: Error) => levelOf(error),
        // An answer given on purpose needs its code, not a stack trace (pino's `err` serializer adds one).
        customErrorObject: (_context: ExecutionContext, error: Error, { responseTime }: { responseTime?: number }) =>
          error instanceof AppError ? { responseTime, code: error.code, detail: error.message } : { responseTime, err: error },
      },
    }),
  });
}
