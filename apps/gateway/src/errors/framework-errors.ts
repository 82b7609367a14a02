import { Logger } from '@nestjs/common';
import { AppError } from '#common/errors';
import { ErrorCode } from '#contracts/errors';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { errorBody } from './error-body.js';

/**
 * Longest route parameter the router hands to a route. Fastify's default (100)
 * answered a longer session id with its own 414; this is far beyond any id
 * here, so such an id reaches its route and gets that route's answer.
 */
export const MAX_PARAM_LENGTH = 1024;

type Hook = (request: FastifyRequest, reply: FastifyReply) => void;

/** What a set of Fastify hooks does to every answer, for the answers given where no hook runs. */
export interface ResponseHooks {
  onRequest?: Hook;
  onResponse?: Hook;
}

/** The router's refusals: a path that is not valid percent-encoding, a parameter over MAX_PARAM_LENGTH. */
const NAMES_NOTHING: Record<string, string> = {
  FST_ERR_BAD_URL: 'No such resource: the path is not valid percent-encoding',
  FST_ERR_MAX_PARAM_LENGTH: 'No such resource: a path segment is too long',
};

/**
 * Fastify's `frameworkErrors`. The router refuses some paths before any hook
 * or route runs, and would answer them with a body of its own and none of
 * the hooks' headers, unlogged. Such a path names nothing here, so it gets
 * an unknown route's answer: 404 NOT_FOUND in the contract's body, plus what
 * the skipped hooks (registered with `alsoRun`) add to every answer: security
 * headers, no-store, X-Request-Id, the log line and the metric.
 */
export class FrameworkErrors {
  private readonly logger = new Logger(FrameworkErrors.name);
  private readonly hooks: ResponseHooks[] = [];

  alsoRun(hooks: ResponseHooks): void {
    this.hooks.push(hooks);
  }

  readonly answer = (error: FastifyError, request: FastifyRequest, reply: FastifyReply): void => {
    for (const { onRequest } of this.hooks) onRequest?.(request, reply);
    // 'close' rather than 'finish': logged too when the client hung up first.
    reply.raw.once('close', () => {
      for (const { onResponse } of this.hooks) onResponse?.(request, reply);
    });
    const appError = this.toAppError(error);
    void reply.status(appError.status).send(errorBody(appError));
  };

  private toAppError(error: FastifyError): AppError {
    const message = NAMES_NOTHING[error.code];
    if (message) return new AppError(ErrorCode.NotFound, message);
    this.logger.error(error.stack);
    return AppError.internal();
  }
}
