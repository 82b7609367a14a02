import { randomUUID } from 'node:crypto';
import { RequestMethod, type DynamicModule, type ExecutionContext } from '@nestjs/common';
import type { TcpContext } from '@nestjs/microservices';
import { LoggerModule } from 'nestjs-pino';
import type { BaseEnv } from '../config/base.env.js';

/** Every route, in the path syntax the Fastify adapter matches (its '{/*splat}' default matches nothing). */
export const ALL_ROUTES = { path: '{*path}', method: RequestMethod.ALL };

/** Never logged, wherever they appear in a log object. */
const REDACTED = [
  'req.headers.authorization',
  'req.headers.cookie',
  '*.password',
  '*.passwordHash',
  '*.refreshToken',
  '*.accessToken',
  '*.privateKey',
];

/**
 * Structured logs for every app: JSON (or pretty in a terminal), one line per
 * HTTP request or RPC handled with its duration, each carrying `reqId`, the
 * correlation id the gateway assigns and sends along in every TCP message.
 */
export function loggingModule(app: string, env: BaseEnv, kind: 'http' | 'microservice'): DynamicModule {
  return LoggerModule.forRoot({
    forRoutes: [ALL_ROUTES],
    pinoHttp: {
      name: app,
      level: env.LOG_LEVEL === 'verbose' ? 'trace' : env.LOG_LEVEL,
      redact: { paths: REDACTED, censor: '[redacted]' },
      transport:
        env.LOG_FORMAT === 'pretty'
          ? { target: 'pino-pretty', options: { singleLine: true, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname,name' } }
          : undefined,
      autoLogging: kind === 'http',
      quietReqLogger: true,
      customAttributeKeys: { reqId: 'reqId' },
      serializers: {
        req: (req: { method: string; url: string }) => ({ method: req.method, url: req.url }),
        res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
      },
    },
    ...(kind === 'microservice' && {
      microservice: {
        genReqId: (context: ExecutionContext) =>
          context.switchToRpc().getContext<TcpContext>().getMetadata?.()?.requestId ?? randomUUID(),
        quietRpcLogger: true,
      },
    }),
  });
}
