import { jest } from '@jest/globals';
import type { ExecutionContext, Logger } from '@nestjs/common';
import { ROUTE_ARGS_METADATA } from '@nestjs/common/constants.js';
import { AppError } from '../errors/app-error.js';
import { CallDeadline, Deadline, deadlineOf } from './deadline.js';

/** A handler's execution context over a transport whose context hands out the packet's metadata. */
function callWith(rpcContext: unknown): ExecutionContext {
  return { switchToRpc: () => ({ getContext: () => rpcContext, getData: () => ({}) }) } as unknown as ExecutionContext;
}
const metadata = (wire: unknown) => callWith({ getMetadata: () => wire });

/** The function Nest runs to fill a `@CallDeadline()` parameter. */
function callDeadlineFactory(): (data: unknown, context: ExecutionContext) => Deadline {
  class Handler {
    handle(@CallDeadline() deadline: Deadline): Deadline {
      return deadline;
    }
  }
  const args = Reflect.getMetadata(ROUTE_ARGS_METADATA, Handler, 'handle') as Record<
    string,
    { factory: (data: unknown, context: ExecutionContext) => Deadline }
  >;
  return Object.values(args)[0].factory;
}

describe('Deadline', () => {
  it('counts the milliseconds left and passes at its instant', () => {
    const deadline = new Deadline(10_000);
    expect(deadline.remainingMs(9_000)).toBe(1_000);
    expect(deadline.passed(9_999)).toBe(false);
    expect(deadline.passed(10_000)).toBe(true);
    expect(deadline.remainingMs(12_000)).toBe(-2_000);
  });

  it('without an instant never passes', () => {
    expect(Deadline.none.at).toBeUndefined();
    expect(Deadline.none.remainingMs()).toBe(Infinity);
    expect(Deadline.none.passed(Number.MAX_SAFE_INTEGER)).toBe(false);
    expect(() => Deadline.none.assertNotPassed()).not.toThrow();
  });

  it('refuses work past it with 504 UPSTREAM_TIMEOUT naming the work, and not before', () => {
    expect(() => new Deadline(Date.now() + 60_000).assertNotPassed('The refresh')).not.toThrow();
    let refusal: unknown;
    try {
      new Deadline(Date.now() - 1).assertNotPassed('The refresh');
    } catch (error) {
      refusal = error;
    }
    expect(refusal).toBeInstanceOf(AppError);
    expect(refusal).toMatchObject({ status: 504, code: 'UPSTREAM_TIMEOUT', message: expect.stringMatching(/^The refresh /) });
  });

  describe('undoIfPassed', () => {
    const logger = () => ({ warn: jest.fn() }) as unknown as Logger & { warn: jest.Mock };

    it('leaves work committed in time alone', async () => {
      const undo = jest.fn(async () => undefined);
      await new Deadline(Date.now() + 60_000).undoIfPassed('The write', undo, logger());
      await Deadline.none.undoIfPassed('The write', undo, logger());
      expect(undo).not.toHaveBeenCalled();
    });

    it('undoes work committed past the deadline and refuses the call as missed (504 UPSTREAM_TIMEOUT)', async () => {
      const undo = jest.fn(async () => undefined);
      await expect(new Deadline(Date.now() - 1).undoIfPassed('The write', undo, logger())).rejects.toMatchObject({
        status: 504,
        code: 'UPSTREAM_TIMEOUT',
        message: "The write missed the caller's deadline and was not done",
      });
      expect(undo).toHaveBeenCalledTimes(1);
    });

    it('logs an undo that fails, and refuses the call all the same', async () => {
      const log = logger();
      const refusal = new Deadline(Date.now() - 1).undoIfPassed('The write', () => Promise.reject(new Error('connection lost')), log);
      await expect(refusal).rejects.toMatchObject({ code: 'UPSTREAM_TIMEOUT' });
      expect(log.warn).toHaveBeenCalledWith('The write, committed after its deadline, could not be undone: connection lost');
    });
  });
});

describe('deadlineOf / @CallDeadline()', () => {
  it("reads the deadline from the call's metadata", () => {
    expect(deadlineOf(metadata({ requestId: 'r-1', deadline: '1800000000000' })).at).toBe(1_800_000_000_000);
  });

  it('gives the handler parameter the same deadline', () => {
    const factory = callDeadlineFactory();
    expect(factory(undefined, metadata({ deadline: '1800000000000' })).at).toBe(1_800_000_000_000);
    expect(factory(undefined, metadata({}))).toBe(Deadline.none);
  });

  it.each([
    ['no deadline in the metadata', metadata({ requestId: 'r-1' })],
    ['no metadata at all', metadata(undefined)],
    ['a transport context without metadata', callWith({})],
    ['no transport context', callWith(undefined)],
  ])('has no deadline with %s', (_, context) => {
    expect(deadlineOf(context)).toBe(Deadline.none);
  });

  it.each(['soon', 'NaN', 'Infinity', '-Infinity', '1e400', '12:00'])('treats the malformed deadline %p as absent', (deadline) => {
    expect(deadlineOf(metadata({ deadline }))).toBe(Deadline.none);
  });
});
