import { jest } from '@jest/globals';
import {
  BadRequestException,
  HttpException,
  HttpStatus,
  Logger,
  NotFoundException,
  PayloadTooLargeException,
  UnauthorizedException,
  UnsupportedMediaTypeException,
  type ArgumentsHost,
} from '@nestjs/common';
import { AppError } from '#common/errors';
import { ErrorCode } from '#contracts/errors';

import { HttpErrorFilter } from './http-error.filter.js';

/** What the filter did to Fastify's reply. */
class FakeReply {
  statusCode?: number;
  readonly headers: Record<string, string> = {};
  body?: unknown;
  sends = 0;

  status(code: number): this {
    this.statusCode = code;
    return this;
  }

  header(name: string, value: string): this {
    this.headers[name] = value;
    return this;
  }

  send(body: unknown): this {
    this.body = body;
    this.sends += 1;
    return this;
  }
}

function render(exception: unknown, headers: Record<string, string> = {}): FakeReply {
  const reply = new FakeReply();
  const host = { switchToHttp: () => ({ getResponse: () => reply, getRequest: () => ({ headers }) }) } as unknown as ArgumentsHost;
  new HttpErrorFilter().catch(exception, host);
  expect(reply.sends).toBe(1);
  return reply;
}

let logged: jest.SpiedFunction<Logger['error']>;
beforeEach(() => {
  logged = jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
});
afterEach(() => jest.restoreAllMocks());

describe('HttpErrorFilter', () => {
  it("answers an AppError with its status and the contract's body", () => {
    const reply = render(new AppError(ErrorCode.UsernameTaken, 'That username is taken'));
    expect(reply.statusCode).toBe(409);
    expect(reply.body).toEqual({ statusCode: 409, error: 'Conflict', code: 'USERNAME_TAKEN', message: 'That username is taken' });
    expect(reply.headers).toEqual({});
    expect(logged).not.toHaveBeenCalled();
  });

  it('keeps a list of messages as a list', () => {
    const reply = render(new AppError(ErrorCode.ValidationFailed, ['username is too short', 'password is too short']));
    expect(reply.body).toEqual({
      statusCode: 400,
      error: 'Bad Request',
      code: 'VALIDATION_FAILED',
      message: ['username is too short', 'password is too short'],
    });
  });

  it('sets Retry-After from retryAfter', () => {
    const reply = render(new AppError(ErrorCode.ServiceOverloaded, 'The queue is full', 7));
    expect(reply.statusCode).toBe(503);
    expect(reply.headers).toEqual({ 'Retry-After': '7' });
    expect(reply.body).toMatchObject({ statusCode: 503, error: 'Service Unavailable', code: 'SERVICE_OVERLOADED' });
  });

  it('challenges with WWW-Authenticate: Bearer on 401 UNAUTHORIZED, invalid_token when a bearer token was refused', () => {
    const missing = render(AppError.unauthorized('Missing or malformed bearer token'));
    expect(missing.statusCode).toBe(401);
    expect(missing.headers).toEqual({ 'WWW-Authenticate': 'Bearer' });
    expect(missing.body).toEqual({
      statusCode: 401,
      error: 'Unauthorized',
      code: 'UNAUTHORIZED',
      message: 'Missing or malformed bearer token',
    });

    const refused = render(AppError.unauthorized(), { authorization: 'Bearer aaa.bbb.ccc' });
    expect(refused.headers).toEqual({ 'WWW-Authenticate': 'Bearer error="invalid_token"' });
  });

  it('sends no challenge for a 401 about a password, not the token', () => {
    const reply = render(new AppError(ErrorCode.InvalidCredentials, 'Wrong password'), { authorization: 'Bearer aaa.bbb.ccc' });
    expect(reply.statusCode).toBe(401);
    expect(reply.headers).toEqual({});
  });

  it('answers a framework 429 with RATE_LIMITED', () => {
    const reply = render(new HttpException('Too Many Requests', HttpStatus.TOO_MANY_REQUESTS));
    expect(reply.statusCode).toBe(429);
    expect(reply.body).toEqual({ statusCode: 429, error: 'Too Many Requests', code: 'RATE_LIMITED', message: expect.any(String) });
  });

  it.each([
    [new BadRequestException('Unexpected end of JSON input'), 400, 'VALIDATION_FAILED', 'Unexpected end of JSON input'],
    [new UnauthorizedException(), 401, 'UNAUTHORIZED', 'Unauthorized'],
    [new NotFoundException('Cannot GET /nowhere'), 404, 'NOT_FOUND', 'Cannot GET /nowhere'],
    [new PayloadTooLargeException(), 413, 'PAYLOAD_TOO_LARGE', 'Payload Too Large'],
    [new UnsupportedMediaTypeException(), 415, 'UNSUPPORTED_MEDIA_TYPE', 'Unsupported Media Type'],
  ])('answers Nest’s %p with %p %p', (exception, status, code, message) => {
    const reply = render(exception);
    expect(reply.statusCode).toBe(status);
    expect(reply.body).toEqual({ statusCode: status, error: expect.any(String), code, message });
  });

  it('answers a Fastify error that carries statusCode 413 with PAYLOAD_TOO_LARGE', () => {
    const tooLarge = Object.assign(new Error('Request body is too large'), { statusCode: 413, code: 'FST_ERR_CTP_BODY_TOO_LARGE' });
    const reply = render(tooLarge);
    expect(reply.statusCode).toBe(413);
    expect(reply.body).toEqual({
      statusCode: 413,
      error: 'Payload Too Large',
      code: 'PAYLOAD_TOO_LARGE',
      message: 'Request body is too large',
    });
  });

  it.each([
    ['an Error', new Error('insert into users failed: SELECT password_hash FROM users')],
    ['a thrown string', 'SELECT password_hash FROM users'],
    ['an error claiming a 5xx status', Object.assign(new Error('SELECT password_hash FROM users'), { statusCode: 502 })],
  ])('answers %s with a bare 500 INTERNAL_ERROR, leaking nothing, and logs it', (_, exception) => {
    const reply = render(exception);
    expect(reply.statusCode).toBe(500);
    expect(reply.body).toEqual({
      statusCode: 500,
      error: 'Internal Server Error',
      code: 'INTERNAL_ERROR',
      message: 'Internal server error',
    });
    expect(JSON.stringify(reply.body)).not.toMatch(/SELECT|password_hash|\n\s+at /);
    expect(logged).toHaveBeenCalledWith(expect.stringContaining('SELECT password_hash'));
  });
});
