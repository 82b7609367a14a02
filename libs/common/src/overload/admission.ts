import { ErrorCode } from '#contracts/errors';
import pLimit, { type LimitFunction } from 'p-limit';
import { Counter, Gauge } from 'prom-client';
import { AppError } from '../errors/app-error.js';
import type { Deadline } from './deadline.js';

const pendingJobs = new Gauge({
  name: 'admission_pending',
  help: 'Jobs admitted and not finished (running and queued), by queue',
  labelNames: ['queue'],
});
const refusedJobs = new Counter({
  name: 'admission_refused_total',
  help: 'Jobs refused with SERVICE_OVERLOADED, by queue and when (on arrival, or at the head of the queue)',
  labelNames: ['queue', 'when'],
});

/** Weight of the newest sample in the moving average of a job's duration. */
const SMOOTHING = 0.2;

export interface AdmissionSnapshot {
  /** Jobs admitted and not yet finished: running plus waiting. */
  pending: number;
  concurrency: number;
  /** Moving average of one job's duration, measured as jobs run now (contention included). */
  jobMs: number;
  /** Moving average of how far a duration strays from that average. */
  deviationMs?: number;
}

/**
 * How long a job admitted now would take to finish: the jobs ahead of it are
 * worked off `concurrency` at a time at the average pace, then it runs itself,
 * allowing for a slow run (average plus four deviations, as TCP does for its
 * retransmission timer): a job admitted must not miss its deadline.
 */
export function expectedFinishMs({ pending, concurrency, jobMs, deviationMs = 0 }: AdmissionSnapshot): number {
  return Math.floor(pending / concurrency) * jobMs + slowRunMs(jobMs, deviationMs);
}

function slowRunMs(jobMs: number, deviationMs: number): number {
  return jobMs + 4 * deviationMs;
}

/**
 * Whole seconds a refused caller is told to wait: until half of the work
 * queued now is done, and at least until a call with the same time to spare
 * (`budgetMs`) would be admitted. Half, because a burst refuses many callers
 * at once: told to come back as soon as one of them could get in, they all
 * return together and all but one are refused again, each costing the gateway
 * and the service a round trip; told "when the whole queue is gone", they
 * would leave the workers idle while they sleep. Without a budget: until a
 * slot is likely free.
 */
export function retryAfterSeconds(snapshot: AdmissionSnapshot, budgetMs?: number): number {
  const finishMs = expectedFinishMs(snapshot);
  const waitMs =
    budgetMs === undefined
      ? expectedFinishMs({ ...snapshot, pending: Math.max(0, snapshot.pending - snapshot.concurrency) })
      : Math.max(finishMs - budgetMs, finishMs / 2);
  return Math.max(1, Math.ceil(waitMs / 1000));
}

/**
 * A bounded worker pool that refuses at once what it cannot finish in time.
 * A job that would have to wait is admitted only if the work queued ahead of
 * it, at the measured pace, leaves it time to finish before its deadline
 * (less `marginMs` for what the caller still has to do with the result); and
 * it is dropped, never started, if its deadline draws too near while it waits. Either way the caller gets
 * 503 SERVICE_OVERLOADED with Retry-After, and no work is done for it.
 */
export class Admission {
  private readonly limit: LimitFunction;
  private pending = 0;
  private jobMs: number;
  private deviationMs = 0;

  constructor(
    private readonly name: string,
    readonly concurrency: number,
    /** The first estimate of a job's duration, until measurements replace it. */
    initialJobMs: number,
    private readonly marginMs = 0,
  ) {
    this.limit = pLimit(concurrency);
    this.jobMs = initialJobMs;
  }

  snapshot(): AdmissionSnapshot {
    return { pending: this.pending, concurrency: this.concurrency, jobMs: this.jobMs, deviationMs: this.deviationMs };
  }

  /**
   * Throws what `run` would throw on arrival now: for a caller with work to do
   * before its job (a lookup), which a refusal would waste.
   */
  assertAdmissible(deadline: Deadline): void {
    this.admit(deadline);
  }

  async run<T>(deadline: Deadline, job: () => Promise<T>): Promise<T> {
    const { mustWait, budgetMs } = this.admit(deadline);
    this.setPending(this.pending + 1);
    try {
      return await this.limit(async () => {
        // Waiting took longer than expected: starting now would only finish too late.
        if (mustWait && deadline.remainingMs() < slowRunMs(this.jobMs, this.deviationMs) + this.marginMs)
          throw this.overloaded('queued', budgetMs);
        // Work for a caller that has already given up is wasted, however cheap the wait was.
        deadline.assertNotPassed(`The ${this.name} job`);
        // Only a job that ran beside a full set of others shows the pace a queued job will get: one running
        // alone is faster (3 bcrypt threads on 2 cores take half again as long as one), and would make the
        // estimate too low just when a burst after a quiet spell needs it right.
        const contended = this.pending >= this.concurrency;
        const started = performance.now();
        const result = await job();
        if (contended) this.record(performance.now() - started);
        return result;
      });
    } finally {
      this.setPending(this.pending - 1);
    }
  }

  /** Refuses on arrival a job that would wait and could not finish in time; else says whether it waits. */
  private admit(deadline: Deadline): { mustWait: boolean; budgetMs: number } {
    // With a slot free the job starts at once, whatever the estimate says: a
    // service must keep measuring, or one slow outlier would shut it for good.
    const mustWait = this.pending >= this.concurrency;
    const budgetMs = deadline.remainingMs() - this.marginMs;
    if (mustWait && budgetMs < expectedFinishMs(this.snapshot())) throw this.overloaded('arrival', budgetMs);
    return { mustWait, budgetMs };
  }

  /** Measurements taken outside `run` count too; `replace` seeds the average (a warm-up). */
  record(durationMs: number, replace = false): void {
    if (replace) {
      this.jobMs = Math.max(this.jobMs, durationMs);
      return;
    }
    this.deviationMs += SMOOTHING * (Math.abs(durationMs - this.jobMs) - this.deviationMs);
    this.jobMs += SMOOTHING * (durationMs - this.jobMs);
  }

  private setPending(pending: number): void {
    this.pending = pending;
    pendingJobs.set({ queue: this.name }, pending);
  }

  private overloaded(when: 'arrival' | 'queued', budgetMs: number): AppError {
    refusedJobs.inc({ queue: this.name, when });
    const retryAfter = retryAfterSeconds(this.snapshot(), Number.isFinite(budgetMs) ? budgetMs : undefined);
    return new AppError(ErrorCode.ServiceOverloaded, `The ${this.name} queue is full; try again later`, retryAfter);
  }
}
