import { Injectable, type CallHandler, type ExecutionContext, type NestInterceptor } from '@nestjs/common';
import type { Observable } from 'rxjs';
import { deadlineOf } from './deadline.js';

/**
 * A message that arrives after its caller stopped waiting is not started:
 * any work done for it would be wasted, and any row written an orphan.
 */
@Injectable()
export class RefuseLateCalls implements NestInterceptor {
  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    deadlineOf(context).assertNotPassed('The call');
    return next.handle();
  }
}
