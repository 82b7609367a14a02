import { ERROR_STATUS, ErrorCode, type ErrorPayload } from '#contracts/errors';

/**
 * The one error type the services throw on purpose. Its code decides its
 * status (`ERROR_STATUS`); the RPC filter puts it on the wire as an
 * ErrorPayload and the gateway's HTTP filter turns it into the error body.
 */
export class AppError extends Error {
  readonly status: number;

  constructor(
    readonly code: ErrorCode,
    readonly detail: string | string[],
    /** Seconds a caller should wait before trying again (429, 503). */
    readonly retryAfter?: number,
  ) {
    super(Array.isArray(detail) ? detail.join('; ') : detail);
    this.name = 'AppError';
    this.status = ERROR_STATUS[code] ?? 500;
  }

  static fromPayload(payload: ErrorPayload): AppError {
    return new AppError(payload.code, payload.message, payload.retryAfter);
  }

  toPayload(): ErrorPayload {
    const payload: ErrorPayload = { status: this.status, code: this.code, message: this.detail };
    if (this.retryAfter !== undefined) payload.retryAfter = this.retryAfter;
    return payload;
  }

  static unauthorized(message = 'Missing or invalid access token'): AppError {
    return new AppError(ErrorCode.Unauthorized, message);
  }

  static serviceUnavailable(what: string): AppError {
    return new AppError(ErrorCode.ServiceUnavailable, `${what} is unavailable`);
  }

  static internal(): AppError {
    return new AppError(ErrorCode.InternalError, 'Internal server error');
  }
}
