import type { ErrorCode } from './error-code.js';

/**
 * How a failure crosses the TCP wire. `instanceof` does not survive a process
 * boundary, so the gateway recognises failures by shape and renders them as
 * the contract's HTTP error body.
 */
export interface ErrorPayload {
  status: number;
  code: ErrorCode;
  message: string | string[];
  /** Seconds until a rate-limited caller may try again. */
  retryAfter?: number;
}

export function isErrorPayload(value: unknown): value is ErrorPayload {
  if (typeof value !== 'object' || value === null) return false;
  const candidate = value as Partial<ErrorPayload>;
  return typeof candidate.status === 'number' && typeof candidate.code === 'string';
}
