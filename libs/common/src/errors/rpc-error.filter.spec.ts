import { jest } from '@jest/globals';
import { Logger } from '@nestjs/common';
import { RpcException } from '@nestjs/microservices';
import { ErrorCode, type ErrorPayload } from '#contracts/errors';
import { firstValueFrom } from 'rxjs';
import { QueryFailedError } from 'typeorm';
import { AppError } from './app-error.js';
import { RpcErrorFilter } from './rpc-error.filter.js';

/** What crosses the wire when a handler throws `exception`. */
async function onTheWire(exception: unknown): Promise<ErrorPayload> {
  try {
    await firstValueFrom(new RpcErrorFilter().catch(exception));
  } catch (payload) {
    return payload as ErrorPayload;
  }
  throw new Error('the filter let the call succeed');
}

/** How TypeORM reports a statement PostgreSQL refused, with the SQL it ran. */
function queryFailed(code: string, message: string): QueryFailedError {
  return new QueryFailedError('SELECT password_hash FROM users WHERE id = $1', ['42'], Object.assign(new Error(message), { code }));
}

let logged: { warn: jest.SpiedFunction<Logger['warn']>; error: jest.SpiedFunction<Logger['error']> };
beforeEach(() => {
  logged = {
    warn: jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined),
    error: jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined),
  };
});
afterEach(() => jest.restoreAllMocks());

describe('RpcErrorFilter', () => {
  it('sends an AppError as its payload, with retryAfter when it has one, and logs nothing', async () => {
    await expect(onTheWire(new AppError(ErrorCode.UsernameTaken, 'That username is taken'))).resolves.toEqual({
      status: 409,
      code: 'USERNAME_TAKEN',
      message: 'That username is taken',
    });
    await expect(onTheWire(new AppError(ErrorCode.RateLimited, 'Too many failed logins', 42))).resolves.toEqual({
      status: 429,
      code: 'RATE_LIMITED',
      message: 'Too many failed logins',
      retryAfter: 42,
    });
    expect(logged.warn).not.toHaveBeenCalled();
    expect(logged.error).not.toHaveBeenCalled();
  });

  it('passes through an RpcException that already carries an ErrorPayload', async () => {
    const payload: ErrorPayload = { status: 404, code: ErrorCode.UserNotFound, message: 'No such user' };
    await expect(onTheWire(new RpcException(payload))).resolves.toEqual(payload);
  });

  it.each([
    ['a refused connection', Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' })],
    ['a bare driver error object', { code: 'ECONNREFUSED' }],
    ['a lost connection (SQLSTATE 08006)', queryFailed('08006', 'connection failure')],
    ['an administrator shutdown (SQLSTATE 57P01)', queryFailed('57P01', 'terminating connection due to administrator command')],
    ['too many connections (SQLSTATE 53300)', queryFailed('53300', 'sorry, too many clients already')],
    ['a deadlock PostgreSQL broke (SQLSTATE 40P01)', queryFailed('40P01', 'deadlock detected')],
    ['a serialization failure (SQLSTATE 40001)', queryFailed('40001', 'could not serialize access due to concurrent update')],
    ['a pool that timed out connecting', new Error('timeout exceeded when trying to connect')],
    ['a terminated connection', new Error('Connection terminated unexpectedly')],
  ])('answers %s with 503 SERVICE_UNAVAILABLE, without SQL', async (_, exception) => {
    const payload = await onTheWire(exception);
    expect(payload).toEqual({ status: 503, code: 'SERVICE_UNAVAILABLE', message: expect.any(String) });
    expect(JSON.stringify(payload)).not.toMatch(/SELECT|password_hash/);
    expect(logged.warn).toHaveBeenCalled();
  });

  it.each([
    ['a failed statement', queryFailed('42P01', 'relation "users" does not exist')],
    ['another class 40 error', queryFailed('40002', 'integrity constraint violation')],
    [
      'a unique violation no service turned into a conflict',
      queryFailed('23505', 'duplicate key value violates unique constraint "users_pkey"'),
    ],
    ['a programming error', new TypeError("Cannot read properties of undefined (reading 'passwordHash')")],
    ['an RpcException without a payload', new RpcException('SELECT failed')],
    ['a thrown string', 'SELECT password_hash FROM users'],
    ['undefined', undefined],
  ])('answers %s with a bare 500 INTERNAL_ERROR, and logs it', async (_, exception) => {
    const payload = await onTheWire(exception);
    expect(payload).toEqual({ status: 500, code: 'INTERNAL_ERROR', message: 'Internal server error' });
    expect(logged.error).toHaveBeenCalledTimes(1);
  });
});
