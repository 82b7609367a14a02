import { createParamDecorator, type ExecutionContext, type Logger } from '@nestjs/common';
import { ErrorCode } from '#contracts/errors';
import { AppError } from '../errors/app-error.js';
import { reasonOf } from '../errors/reason.js';
import { incomingMetadata } from '../transport/call-metadata.js';

/**
 * When the caller stops waiting, from the call's metadata. A call without one
 * (another backend over raw TCP) has no deadline and is never refused for time.
 */
export class Deadline {
  static readonly none = new Deadline(undefined);

  constructor(
    /** Unix epoch milliseconds, or undefined for no deadline. */
    readonly at: number | undefined,
  ) {}

  /** Milliseconds left; Infinity without a deadline. */
  remainingMs(now = Date.now()): number {
    return this.at === undefined ? Infinity : this.at - now;
  }

  passed(now = Date.now()): boolean {
    return this.remainingMs(now) <= 0;
  }

  /**
   * Refuses work, or its commit, once the caller has stopped waiting: its
   * result would only be an orphan. (The caller has already answered 504.)
   */
  assertNotPassed(what = 'The request'): void {
    if (this.passed()) throw Deadline.missed(what);
  }

  /**
   * After a commit: one that returned past the deadline (a slow disk's flush,
   * a lock) may belong to a caller that has answered an error already, so it
   * is undone and the call refused like any missed one. An undo that fails is
   * logged; the call is refused all the same.
   */
  async undoIfPassed(what: string, undo: () => Promise<unknown>, logger: Logger): Promise<void> {
    if (!this.passed()) return;
    try {
      await undo();
    } catch (error) {
      logger.warn(`${what}, committed after its deadline, could not be undone: ${reasonOf(error)}`);
    }
    throw Deadline.missed(what);
  }

  /** The refusal of work that missed its deadline: nothing of it is left. */
  private static missed(what: string): AppError {
    return new AppError(ErrorCode.UpstreamTimeout, `${what} missed the caller's deadline and was not done`);
  }
}

export function deadlineOf(context: ExecutionContext): Deadline {
  const { deadline } = incomingMetadata(context);
  return deadline === undefined ? Deadline.none : new Deadline(deadline);
}

/** The handler's parameter for its call's deadline: `@CallDeadline() deadline: Deadline`. */
export const CallDeadline = createParamDecorator((_: unknown, context: ExecutionContext): Deadline => deadlineOf(context));
