import type { CallHandler, ExecutionContext } from '@nestjs/common';
import { ErrorCode } from '#contracts/errors';
import pino from 'pino';
import { lastValueFrom, of, throwError, defer } from 'rxjs';
import { AppError } from '../errors/app-error.js';
import { LogMessages } from './message-logging.js';
import { requestContext } from './request-context.js';

function setUp() {
  const records: Array<Record<string, unknown>> = [];
  const logger = pino({ redact: ['*.password'] }, { write: (line: string) => void records.push(JSON.parse(line)) });
  return { records, interceptor: new LogMessages(logger) };
}

/** A TCP message for `pattern`, sent by the gateway while it handled request `reqId`. */
function message(pattern: string, reqId?: string): ExecutionContext {
  const rpc = { getPattern: () => pattern, getMetadata: () => (reqId ? { requestId: reqId } : {}) };
  return { switchToRpc: () => ({ getContext: () => rpc }) } as unknown as ExecutionContext;
}

const handler = (work: () => unknown): CallHandler => ({ handle: () => defer(async () => work()) });

describe('LogMessages', () => {
  it('logs one info line per message with its pattern, the caller’s reqId and its time, the handler running with that reqId current', async () => {
    const { records, interceptor } = setUp();
    let current: string | undefined;
    const reply = await lastValueFrom(
      interceptor.intercept(
        message('user.find_by_id', 'req-1'),
        handler(() => ((current = requestContext.currentId()), 'the reply')),
      ),
    );

    expect(reply).toBe('the reply');
    expect(current).toBe('req-1');
    expect(records).toEqual([
      expect.objectContaining({
        level: 30,
        msg: 'message handled',
        reqId: 'req-1',
        rpc: { pattern: 'user.find_by_id' },
        responseTime: expect.any(Number),
      }),
    ]);
  });

  it.each([
    ['info', new AppError(ErrorCode.InvalidCredentials, 'The password is wrong'), 30],
    ['warn', new AppError(ErrorCode.ServiceOverloaded, 'Too busy'), 40],
  ])('logs a refusal given on purpose with its code and no stack, at %s', async (_name, error, level) => {
    const { records, interceptor } = setUp();
    await expect(
      lastValueFrom(interceptor.intercept(message('user.register', 'req-2'), { handle: () => throwError(() => error) })),
    ).rejects.toBe(error);

    expect(records).toEqual([
      expect.objectContaining({ level, msg: 'message refused', reqId: 'req-2', code: error.code, detail: error.message }),
    ]);
    expect(records[0]).not.toHaveProperty('err');
  });

  it('logs an unexpected error at error, through the redacting logger, and passes it on', async () => {
    const { records, interceptor } = setUp();
    const error = Object.assign(new Error('boom'), { password: 'hunter2' });
    await expect(lastValueFrom(interceptor.intercept(message('user.register'), { handle: () => throwError(() => error) }))).rejects.toBe(
      error,
    );

    expect(records).toEqual([expect.objectContaining({ level: 50, msg: 'message failed', reqId: expect.any(String) })]);
    expect(JSON.stringify(records)).not.toContain('hunter2');
  });

  it('gives a message without a correlation id one of its own', async () => {
    const { records, interceptor } = setUp();
    await lastValueFrom(interceptor.intercept(message('user.find_by_id'), { handle: () => of(1) }));
    expect(records[0].reqId).toMatch(/^[0-9a-f-]{36}$/);
  });
});
