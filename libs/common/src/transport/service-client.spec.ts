import { jest } from '@jest/globals';
import { Logger } from '@nestjs/common';
import type { ClientProxy } from '@nestjs/microservices';
import { AppError } from '../errors/app-error.js';
import { NEVER, of, throwError, type Observable } from 'rxjs';
import { requestContext } from '../observability/request-context.js';
import { NoReply, ServiceClient } from './service-client.js';

type Send = (pattern: string, data: unknown) => Observable<unknown>;

function clientWith(send: Send, emit: Send = () => of(undefined)) {
  const calls: string[] = [];
  const proxy = {
    send: (pattern: string, data: unknown) => {
      calls.push(pattern);
      return send(pattern, data);
    },
    emit,
  } as unknown as ClientProxy;
  return { client: new ServiceClient<any, any>(proxy, 'user', 50, () => undefined), calls };
}

const refused = () => throwError(() => Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }));

async function failure(promise: Promise<unknown>): Promise<AppError> {
  try {
    await promise;
  } catch (error) {
    return error as AppError;
  }
  throw new Error('expected a failure');
}

describe('ServiceClient', () => {
  it('passes a reply through', async () => {
    const { client } = clientWith(() => of({ id: 1 }));
    await expect(client.send('user.find_by_id', {})).resolves.toEqual({ id: 1 });
  });

  it("rebuilds the service's own error from the wire", async () => {
    const { client } = clientWith(() => throwError(() => ({ status: 409, code: 'USERNAME_TAKEN', message: 'taken' })));
    expect(await failure(client.send('user.register', {}))).toMatchObject({ status: 409, code: 'USERNAME_TAKEN' });
  });

  it('answers 504 when no reply comes within the timeout, as a call that may have taken effect', async () => {
    const { client } = clientWith(() => NEVER);
    const error = await failure(client.send('user.register', {}));
    expect(error).toMatchObject({ status: 504, code: 'UPSTREAM_TIMEOUT' });
    expect(error).toBeInstanceOf(NoReply);
  });

  it('answers 503 when the service cannot be reached, without retrying by default, as a call that did nothing', async () => {
    const { client, calls } = clientWith(refused);
    const error = await failure(client.send('user.register', {}));
    expect(error).toMatchObject({ status: 503, code: 'SERVICE_UNAVAILABLE' });
    expect(error).not.toBeInstanceOf(NoReply);
    expect(calls).toHaveLength(1);
  });

  it('answers 503 when the connection is lost while the call waits, as a call that may have taken effect', async () => {
    const { client } = clientWith(() => throwError(() => new Error('Connection closed')));
    const sent = Date.now();
    const error = await failure(client.send('user.register', {}));
    expect(error).toMatchObject({ status: 503, code: 'SERVICE_UNAVAILABLE' });
    expect(error).toBeInstanceOf(NoReply);
    // Settled at the deadline the call carried (the 50 ms timeout less the 5 ms kept for the reply), not at once.
    const { settlesAt } = error as NoReply;
    expect(settlesAt).toBeGreaterThanOrEqual(sent + 45);
    expect(settlesAt).toBeLessThanOrEqual(Date.now() + 45);
    await (error as NoReply).settled();
    expect(Date.now()).toBeGreaterThanOrEqual(settlesAt);
  });

  it('answers 503 under NATS when no replica is subscribed, or the NATS connection is down or refused', async () => {
    class EmptyResponseException extends Error {}
    for (const error of [
      new EmptyResponseException('Empty response'),
      Object.assign(new Error('closed'), { name: 'ConnectionError' }),
      Object.assign(new Error('Authorization Violation'), { name: 'AuthorizationError' }),
      'Error: Connection lost. Trying to reconnect...',
    ]) {
      const { client } = clientWith(() => throwError(() => error));
      expect(await failure(client.send('user.register', {}))).toMatchObject({ status: 503, code: 'SERVICE_UNAVAILABLE' });
    }
  });

  it('keeps a retried call that may have taken effect as such, whatever the retry met', async () => {
    let attempts = 0;
    const { client } = clientWith(() => (++attempts === 1 ? throwError(() => new Error('Connection closed')) : refused()));
    const error = await failure(client.send('user.discard_registration', {}, { retry: true }));
    expect(error).toMatchObject({ status: 503, code: 'SERVICE_UNAVAILABLE' });
    expect(error).toBeInstanceOf(NoReply);
    expect(attempts).toBe(2);
  });

  it('retries an idempotent read once after a connection error', async () => {
    let attempts = 0;
    const { client, calls } = clientWith(() => (++attempts === 1 ? refused() : of('ok')));
    await expect(client.send('user.find_by_id', {}, { retry: true })).resolves.toBe('ok');
    expect(calls).toHaveLength(2);
  });

  it('does not retry a read that failed for another reason', async () => {
    const { client, calls } = clientWith(() => throwError(() => ({ status: 404, code: 'USER_NOT_FOUND', message: 'no' })));
    await failure(client.send('user.find_by_id', {}, { retry: true }));
    expect(calls).toHaveLength(1);
  });

  it('sends nothing for a client that has gone, except a clean-up', async () => {
    const { client, calls } = clientWith(() => of({ discarded: true }));
    const gone = () => true;
    const refusal = await failure(requestContext.run('req-1', () => client.send('user.find_by_id', {}), gone));
    expect(refusal).toMatchObject({ status: 499, code: 'CLIENT_CLOSED_REQUEST' });
    await expect(requestContext.run('req-1', () => client.send('user.discard_registration', {}, { cleanup: true }), gone)).resolves.toEqual(
      {
        discarded: true,
      },
    );
    expect(calls).toEqual(['user.discard_registration']);
  });

  it('hides an unexpected failure behind a 500', async () => {
    const { client } = clientWith(() => throwError(() => new Error('SELECT * FROM secrets failed')));
    jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
    const error = await failure(client.send('user.find_by_id', {}));
    expect(error).toMatchObject({ status: 500, code: 'INTERNAL_ERROR' });
    expect(error.message).not.toContain('SELECT');
  });

  it('logs an undelivered event with its name and never throws', () => {
    const warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    const { client } = clientWith(() => of(undefined), refused);
    expect(() => client.emit('user.logged_in', {})).not.toThrow();
    expect(warn).toHaveBeenCalledWith(expect.stringContaining('user.logged_in'));
  });
});
