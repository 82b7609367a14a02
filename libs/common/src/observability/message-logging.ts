import { randomUUID } from 'node:crypto';
import { Injectable, type CallHandler, type ExecutionContext, type NestInterceptor } from '@nestjs/common';
import { Observable } from 'rxjs';
import type pino from 'pino';
import { AppError } from '../errors/app-error.js';
import { incomingMetadata } from '../transport/call-metadata.js';
import { fixedShapeLines } from './logging.js';
import { requestContext } from './request-context.js';

/**
 * A message handled is `info`; so is one answered with a refusal the service
 * gives on purpose (not found, wrong password, validation); a service that
 * cannot serve (overloaded, a dependency down) is `warn`; anything else is an `error`.
 */
export function levelOf(error?: unknown): pino.Level {
  if (error === undefined) return 'info';
  if (!(error instanceof AppError)) return 'error';
  return error.status >= 500 ? 'warn' : 'info';
}

type PatternContext = { getPattern?: () => string; getSubject?: () => string } | undefined;

/**
 * One line per message a service handles: its pattern, the caller's
 * correlation id (`reqId`), how long it took, and for a refusal its code.
 * The handler runs with that id current, so whatever it logs carries it too.
 * The line has a fixed shape with nothing secret in it (`fixedShapeLines`);
 * an unexpected error is logged through the redacting logger.
 */
@Injectable()
export class LogMessages implements NestInterceptor {
  private readonly lines: pino.Logger;

  constructor(private readonly logger: pino.Logger) {
    this.lines = fixedShapeLines(logger);
  }

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const reqId = incomingMetadata(context).requestId ?? randomUUID();
    const rpc = context.switchToRpc().getContext<PatternContext>();
    const line = { reqId, rpc: { pattern: rpc?.getPattern?.() ?? rpc?.getSubject?.() } };
    const started = performance.now();
    const elapsed = () => Math.round(performance.now() - started);
    return new Observable((subscriber) =>
      // Subscribing inside run() puts the whole pipeline (interceptors, pipes, handler) in the request's context.
      requestContext.run(reqId, () =>
        next.handle().subscribe({
          next: (value) => subscriber.next(value),
          error: (error: unknown) => {
            const level = levelOf(error);
            if (error instanceof AppError) {
              this.lines[level]({ ...line, responseTime: elapsed(), code: error.code, detail: error.message }, 'message refused');
            } else this.logger[level]({ ...line, responseTime: elapsed(), err: error }, 'message failed');
            subscriber.error(error);
          },
          complete: () => {
            this.lines.info({ ...line, responseTime: elapsed() }, 'message handled');
            subscriber.complete();
          },
        }),
      ),
    );
  }
}
