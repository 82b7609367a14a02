import { setTimeout as sleep } from 'node:timers/promises';
import { jest } from '@jest/globals';
import { AppError } from '../errors/app-error.js';
import { Admission, expectedFinishMs, retryAfterSeconds } from './admission.js';
import { Deadline } from './deadline.js';

const inMs = (ms: number) => new Deadline(Date.now() + ms);

async function refusal(promise: Promise<unknown>): Promise<AppError> {
  try {
    await promise;
  } catch (error) {
    return error as AppError;
  }
  throw new Error('expected a refusal');
}

describe('admission arithmetic', () => {
  it('works off the queue ahead `concurrency` at a time, then the job itself', () => {
    expect(expectedFinishMs({ pending: 0, concurrency: 3, jobMs: 100 })).toBe(100);
    expect(expectedFinishMs({ pending: 2, concurrency: 3, jobMs: 100 })).toBe(100);
    expect(expectedFinishMs({ pending: 3, concurrency: 3, jobMs: 100 })).toBe(200);
    expect(expectedFinishMs({ pending: 10, concurrency: 1, jobMs: 250 })).toBe(2750);
  });

  it('tells a refused caller to come back when a slot is likely free, in whole seconds, at least 1', () => {
    expect(retryAfterSeconds({ pending: 3, concurrency: 3, jobMs: 100 })).toBe(1);
    expect(retryAfterSeconds({ pending: 40, concurrency: 2, jobMs: 250 })).toBe(5);
  });

  it('with a time budget, tells a caller to wait until half the queue is done, and at least until a call like it would be admitted', () => {
    // 40 queued on 2 workers at 250 ms finish in 5.25 s. A call with 4.5 s to spare would fit after 0.75 s,
    // but so would every other caller refused meanwhile: come back when half of it is done, in 2.625 s.
    expect(retryAfterSeconds({ pending: 40, concurrency: 2, jobMs: 250 }, 4_500)).toBe(3);
    // 80 queued finish in 10.25 s: the call fits only after 5.75 s, later than half of it.
    expect(retryAfterSeconds({ pending: 80, concurrency: 2, jobMs: 250 }, 4_500)).toBe(6);
    // A short queue still means at least a second.
    expect(retryAfterSeconds({ pending: 2, concurrency: 2, jobMs: 250 }, 100)).toBe(1);
  });
});

describe('Admission', () => {
  it('admits a job that can finish in time and measures it', async () => {
    const admission = new Admission('test', 1, 10);
    await expect(admission.run(inMs(1000), async () => 'done')).resolves.toBe('done');
    expect(admission.snapshot().pending).toBe(0);
  });

  it('refuses at once, without starting the job, what would wait and could not finish before the deadline', async () => {
    const admission = new Admission('test', 1, 100, 50);
    const busy = admission.run(Deadline.none, () => sleep(20));
    const job = jest.fn(async () => 'never');
    const error = await refusal(admission.run(inMs(200), job));
    expect(error).toMatchObject({ status: 503, code: 'SERVICE_OVERLOADED' });
    expect(error.retryAfter).toBeGreaterThanOrEqual(1);
    expect(job).not.toHaveBeenCalled();
    await busy;
  });

  it('tells a caller beforehand what run would answer on arrival', async () => {
    const admission = new Admission('test', 1, 100, 50);
    expect(() => admission.assertAdmissible(inMs(10))).not.toThrow();
    const busy = admission.run(Deadline.none, () => sleep(20));
    expect(() => admission.assertAdmissible(inMs(200))).toThrow(expect.objectContaining({ status: 503, code: 'SERVICE_OVERLOADED' }));
    expect(() => admission.assertAdmissible(inMs(1000))).not.toThrow();
    expect(() => admission.assertAdmissible(Deadline.none)).not.toThrow();
    await busy;
    expect(() => admission.assertAdmissible(inMs(200))).not.toThrow();
  });

  it('starts a job at once when a slot is free, even when the estimate is stale, and learns from it', async () => {
    const admission = new Admission('test', 1, 10_000);
    await expect(admission.run(inMs(500), async () => 'probe')).resolves.toBe('probe');
    expect(admission.snapshot().jobMs).toBeLessThan(10_000);
  });

  it('counts the queue ahead: the same deadline is admitted when idle and refused behind a backlog', async () => {
    const admission = new Admission('test', 1, 50);
    const release: Array<() => void> = [];
    const blocker = () => new Promise<void>((resolve) => release.push(resolve));
    const running = [admission.run(Deadline.none, blocker), admission.run(Deadline.none, blocker)];
    const job = jest.fn(async () => 'late');
    expect(await refusal(admission.run(inMs(120), job))).toMatchObject({ code: 'SERVICE_OVERLOADED' });
    expect(job).not.toHaveBeenCalled();
    release.shift()!();
    await sleep(0);
    release.shift()!();
    await Promise.all(running);
    await expect(admission.run(inMs(120), job)).resolves.toBe('late');
  });

  it('drops a queued job whose deadline drew too near while it waited', async () => {
    const admission = new Admission('test', 1, 10);
    const slow = admission.run(Deadline.none, () => sleep(150));
    const job = jest.fn(async () => 'too late');
    const queued = refusal(admission.run(inMs(80), job));
    expect(await queued).toMatchObject({ code: 'SERVICE_OVERLOADED' });
    expect(job).not.toHaveBeenCalled();
    await slow;
  });

  it('follows the measured pace: slower jobs raise the estimate, and a seed replaces a lower guess', async () => {
    const admission = new Admission('test', 1, 1);
    admission.record(400, true);
    expect(admission.snapshot().jobMs).toBe(400);
    for (let i = 0; i < 20; i++) admission.record(100);
    expect(admission.snapshot().jobMs).toBeLessThan(110);
    expect(admission.snapshot().jobMs).toBeGreaterThanOrEqual(100);
  });

  it('measures only jobs that ran with every slot busy: one running alone is no guide to a queued one', async () => {
    const admission = new Admission('test', 2, 500);
    await admission.run(Deadline.none, () => sleep(10));
    expect(admission.snapshot().jobMs).toBe(500);
    await Promise.all([admission.run(Deadline.none, () => sleep(10)), admission.run(Deadline.none, () => sleep(10))]);
    expect(admission.snapshot().jobMs).toBeLessThan(500);
  });

  it('starts no job whose deadline has passed, even with a slot free', async () => {
    const admission = new Admission('test', 2, 10);
    const job = jest.fn(async () => 'never');
    expect(await refusal(admission.run(new Deadline(Date.now() - 1), job))).toMatchObject({ status: 504, code: 'UPSTREAM_TIMEOUT' });
    expect(job).not.toHaveBeenCalled();
    expect(admission.snapshot().pending).toBe(0);
  });

  it('never refuses a call without a deadline', async () => {
    const admission = new Admission('test', 1, 60_000);
    await expect(admission.run(Deadline.none, async () => 'ok')).resolves.toBe('ok');
  });
});

describe('Deadline', () => {
  it('refuses work once passed, with 504 UPSTREAM_TIMEOUT', () => {
    expect(() => new Deadline(Date.now() - 1).assertNotPassed()).toThrow(AppError);
    expect(() => new Deadline(Date.now() + 1000).assertNotPassed()).not.toThrow();
    expect(Deadline.none.remainingMs()).toBe(Infinity);
  });
});
