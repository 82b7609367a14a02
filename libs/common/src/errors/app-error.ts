import { ErrorCode, type ErrorPayload } from '#contracts';

/**
 * The one error type the services throw on purpose. It carries the contract's
 * status and code; the RPC filter puts it on the wire as an ErrorPayload and
 * the gateway's HTTP filter turns it into the error body.
 */
export class AppError extends Error {
  constructor(
    readonly status: number,
    readonly code: ErrorCode,
    readonly detail: string | string[],
    readonly retryAfter?: number,
  ) {
    super(Array.isArray(detail) ? detail.join('; ') : detail);
    this.name = 'AppError';
  }

  static fromPayload(payload: ErrorPayload): AppError {
    return new AppError(payload.status, payload.code, payload.message, payload.retryAfter);
  }

  toPayload(): ErrorPayload {
    const payload: ErrorPayload = { status: this.status, code: this.code, message: this.detail };
    if (this.retryAfter !== undefined) payload.retryAfter = this.retryAfter;
    return payload;
  }

  static unauthorized(message = 'Missing or invalid access token'): AppError {
    return new AppError(401, ErrorCode.Unauthorized, message);
  }

  static serviceUnavailable(what: string): AppError {
    return new AppError(503, ErrorCode.ServiceUnavailable, `${what} is unavailable`);
  }

  static internal(): AppError {
    return new AppError(500, ErrorCode.InternalError, 'Internal server error');
  }
}
