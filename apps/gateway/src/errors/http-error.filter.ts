import { Catch, HttpException, Logger, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import { AppError } from '#common/errors';
import { ErrorCode } from '#contracts/errors';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { bearerChallenge } from '../auth/bearer.js';
import { errorBody } from './error-body.js';

/** Codes for errors raised by the framework itself rather than by our code. */
const CODE_BY_STATUS: Record<number, ErrorCode> = {
  400: ErrorCode.ValidationFailed,
  401: ErrorCode.Unauthorized,
  404: ErrorCode.NotFound,
  413: ErrorCode.PayloadTooLarge,
  415: ErrorCode.UnsupportedMediaType,
  429: ErrorCode.RateLimited,
};

/**
 * The one place an error becomes an HTTP response:
 * `{ statusCode, error, code, message }`, never a stack trace or SQL text.
 */
@Catch()
export class HttpErrorFilter implements ExceptionFilter {
  private readonly logger = new Logger(HttpErrorFilter.name);

  catch(exception: unknown, host: ArgumentsHost): void {
    const error = this.toAppError(exception);
    const reply = host.switchToHttp().getResponse<FastifyReply>();
    if (error.retryAfter !== undefined) void reply.header('Retry-After', String(error.retryAfter));
    // UNAUTHORIZED is only ever about the access token: say which scheme is wanted (RFC 6750 §3).
    if (error.code === ErrorCode.Unauthorized) {
      void reply.header('WWW-Authenticate', bearerChallenge(host.switchToHttp().getRequest<FastifyRequest>().headers?.authorization));
    }
    void reply.status(error.status).send(errorBody(error));
  }

  private toAppError(exception: unknown): AppError {
    if (exception instanceof AppError) return exception;
    const status = statusOf(exception);
    if (status !== undefined && status < 500 && CODE_BY_STATUS[status]) {
      return new AppError(CODE_BY_STATUS[status], messageOf(exception));
    }
    this.logger.error(exception instanceof Error ? exception.stack : String(exception));
    return AppError.internal();
  }
}

/** Nest's HttpException, or a Fastify error (bad JSON, body too large) that carries `statusCode`. */
function statusOf(exception: unknown): number | undefined {
  if (exception instanceof HttpException) return exception.getStatus();
  const statusCode = (exception as { statusCode?: unknown } | null)?.statusCode;
  return typeof statusCode === 'number' ? statusCode : undefined;
}

function messageOf(exception: unknown): string {
  if (exception instanceof HttpException) {
    const response = exception.getResponse();
    const message = typeof response === 'object' ? (response as { message?: unknown }).message : response;
    return typeof message === 'string' ? message : exception.message;
  }
  return exception instanceof Error ? exception.message : 'Bad request';
}
