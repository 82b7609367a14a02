import type { DynamicModule } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import pino from 'pino';
import type { BaseEnv } from '../config/base.env.js';
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
 * Lines are gathered and written 4 KiB (or LOG_FLUSH_MS) at a time, flushed
 * at exit: a write per line cost the gateway about a tenth of its CPU on
 * GET /me. A SIGKILL can lose the last LOG_FLUSH_MS of lines.
 */
export const LOG_FLUSH_MS = 50;
const BUFFERED_STDOUT = { dest: 1, minLength: 4096, periodicFlush: LOG_FLUSH_MS };

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
 * Structured logs for every app (pino through nestjs-pino): JSON, or pretty in
 * a terminal, secrets redacted. The line per request or message is not
 * nestjs-pino's: the gateway logs its requests from Fastify hooks (see its
 * request tracing), a service its messages in `LogMessages`.
 */
export function loggingModule(app: string, env: BaseEnv): DynamicModule {
  return LoggerModule.forRoot({
    forRoutes: [],
    pinoHttp: { logger: createPino(app, env), autoLogging: false },
  });
}
