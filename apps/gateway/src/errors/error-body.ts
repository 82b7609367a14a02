import { STATUS_CODES } from 'node:http';
import type { AppError } from '#common/errors';
import type { ErrorCode } from '#contracts/errors';

/** The contract's error body; every error the gateway answers has this shape. */
export interface ErrorBody {
  statusCode: number;
  error: string;
  code: ErrorCode;
  message: string | string[];
}

export function errorBody(error: AppError): ErrorBody {
  return {
    statusCode: error.status,
    error: STATUS_CODES[error.status] ?? 'Error',
    code: error.code,
    message: error.detail,
  };
}
