import type { ValidationOptions } from 'class-validator';
import type { ErrorCode } from '../errors/error-code.js';

/**
 * Attaches a specific error code to a validation rule; the validation pipe
 * reports it instead of the generic VALIDATION_FAILED.
 */
export function withCode(code: ErrorCode, options: ValidationOptions = {}): ValidationOptions {
  return { ...options, context: { ...options.context, code } };
}
