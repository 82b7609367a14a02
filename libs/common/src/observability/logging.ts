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
 * Lines are gathered and written 4 KiB at a time, or LOG_FLUSH_MS after the
 * first one waiting, and at exit: a write per line cost the gateway about a
 * tenth of its CPU on GET /me. A SIGKILL can lose the last LOG_FLUSH_MS of
 * lines. (sonic-boom's own periodicFlush writes even when nothing waits, which
 * doubled an idle app's CPU.)
 *
 * The writes are synchronous. An asynchronous flush went through libuv's
 * thread pool twice, the write and then an fsync sonic-boom adds to every
 * flush with a callback (a disk flush each time when stdout is a file). At
 * login rates that was a third to nearly half of each app's thread wake-ups,
 * for nothing a log needs. pino registers no exit flush for a synchronous
 * destination, so this does.
 */
export const LOG_FLUSH_MS = 50;

export interface BufferedLog {
  stream: pino.DestinationStream;
  /** Call after each line: schedules the flush that writes it. */
  wrote: () => void;
}

export function bufferedLog(fd = 1): BufferedLog {
  const stream = pino.destination({ dest: fd, minLength: 4096, sync: true });
  let scheduled = false;
  const flush = () => {
    scheduled = false;
    stream.flush();
  };
  process.once('exit', flush);
  return {
    stream,
    wrote: () => {
      if (scheduled) return;
      scheduled = true;
      setTimeout(flush, LOG_FLUSH_MS).unref();
    },
  };
}

function createPino(app: string, env: BaseEnv): pino.Logger {
  const stdout = env.LOG_FORMAT === 'pretty' ? undefined : bufferedLog();
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
    hooks: {
      streamWrite: (line) => {
        stdout?.wrote();
        return line;
      },
    },
  };
  return stdout ? pino(options, stdout.stream) : pino(options);
}

/**
 * A logger for lines of a fixed shape with nothing secret in them (the line
 * per request, the line per message): it skips the redaction pass, half of a
 * line's cost. Anything of another shape goes through the redacting logger.
 */
export function fixedShapeLines(logger: pino.Logger): pino.Logger {
  return logger.child({}, { redact: [] });
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
