import { Injectable, type CallHandler, type ExecutionContext, type NestInterceptor } from '@nestjs/common';
import { finalize, type Observable } from 'rxjs';
import { ErrorCode } from '#contracts/errors';
import { AppError } from '../errors/app-error.js';

/**
 * Counts the messages a service is handling, so shutdown can wait for them.
 * Once draining, new messages are refused with 503 rather than started and cut off.
 */
@Injectable()
export class InFlight implements NestInterceptor {
  private count = 0;
  private draining = false;
  private onIdle?: () => void;

  intercept(_context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (this.draining) throw new AppError(ErrorCode.ServiceUnavailable, 'The service is shutting down');
    this.count += 1;
    return next.handle().pipe(
      finalize(() => {
        this.count -= 1;
        if (this.count === 0) this.onIdle?.();
      }),
    );
  }

  /** Stops taking work and resolves when what was started has finished, or after `timeoutMs`. */
  drain(timeoutMs: number): Promise<void> {
    this.draining = true;
    if (this.count === 0) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, timeoutMs);
      this.onIdle = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }
}
