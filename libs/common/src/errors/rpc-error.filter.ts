import { Catch, Logger, type RpcExceptionFilter } from '@nestjs/common';
import { RpcException } from '@nestjs/microservices';
import { isErrorPayload, type ErrorPayload } from '#contracts/errors';
import { throwError, type Observable } from 'rxjs';
import { isDatabaseUnavailable } from './pg-errors.js';
import { AppError } from './app-error.js';

/**
 * Microservice side: whatever a handler throws leaves as an ErrorPayload.
 * Unexpected errors are logged here and cross the wire without detail, so
 * no SQL text or stack trace ever reaches a caller.
 */
@Catch()
export class RpcErrorFilter implements RpcExceptionFilter<unknown> {
  private readonly logger = new Logger('RpcErrorFilter');

  catch(exception: unknown): Observable<never> {
    return throwError(() => this.toPayload(exception));
  }

  private toPayload(exception: unknown): ErrorPayload {
    if (exception instanceof AppError) return exception.toPayload();
    if (exception instanceof RpcException && isErrorPayload(exception.getError())) {
      return exception.getError() as ErrorPayload;
    }
    if (isDatabaseUnavailable(exception)) {
      this.logger.warn(`Database unavailable: ${(exception as Error).message}`);
      return AppError.serviceUnavailable('The database').toPayload();
    }
    this.logger.error(exception instanceof Error ? exception.stack : String(exception));
    return AppError.internal().toPayload();
  }
}
