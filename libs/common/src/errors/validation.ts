import { ValidationPipe, type ValidationError } from '@nestjs/common';
import { ErrorCode } from '#contracts/errors';
import { AppError } from './app-error.js';

/**
 * The validation pipe of every app, HTTP and RPC alike: unknown fields are
 * rejected, and a rule tagged with `withCode()` reports its own error code.
 */
export function createValidationPipe(): ValidationPipe {
  return new ValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    forbidUnknownValues: true,
    transform: true,
    validationError: { target: false, value: false },
    exceptionFactory: validationFailure,
  });
}

export function validationFailure(errors: ValidationError[]): AppError {
  const messages: string[] = [];
  let code: ErrorCode | undefined;
  for (const error of flatten(errors)) {
    for (const [rule, message] of Object.entries(error.constraints ?? {})) {
      messages.push(message);
      code ??= (error.contexts?.[rule] as { code?: ErrorCode } | undefined)?.code;
    }
  }
  if (messages.length === 0) messages.push('Invalid payload');
  return new AppError(code ?? ErrorCode.ValidationFailed, messages);
}

function flatten(errors: ValidationError[]): ValidationError[] {
  return errors.flatMap((error) => [error, ...flatten(error.children ?? [])]);
}
