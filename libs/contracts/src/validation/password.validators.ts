import { dictionary } from '@zxcvbn-ts/language-common';
import { registerDecorator, type ValidationArguments, type ValidationOptions } from 'class-validator';

/** bcrypt reads at most 72 bytes; anything longer would be silently truncated. */
export const PASSWORD_MAX_BYTES = 72;
export const PASSWORD_MIN_LENGTH = 8;
const COMMON_PASSWORD_COUNT = 10_000;

/** The list is ranked by frequency, most common first. */
const commonPasswords = new Set((dictionary['passwords-common'] as string[]).slice(0, COMMON_PASSWORD_COUNT));

export function utf8Length(value: string): number {
  return Buffer.byteLength(value, 'utf8');
}

export function isCommonPassword(password: string): boolean {
  return commonPasswords.has(password.toLowerCase());
}

function passwordRule(name: string, message: string, test: (value: string, args: ValidationArguments) => boolean) {
  return (options?: ValidationOptions): PropertyDecorator =>
    (target, propertyName) =>
      registerDecorator({
        name,
        target: target.constructor,
        propertyName: propertyName as string,
        options: { message, ...options },
        validator: {
          validate: (value: unknown, args: ValidationArguments) => typeof value !== 'string' || test(value, args),
        },
      });
}

export const MaxUtf8Bytes = (max: number, options?: ValidationOptions) =>
  passwordRule('maxUtf8Bytes', `$property must be at most ${max} bytes in UTF-8`, (value) => utf8Length(value) <= max)(options);

export const IsNotCommonPassword = passwordRule(
  'isNotCommonPassword',
  '$property is one of the most common passwords',
  (value) => !isCommonPassword(value),
);

/** Compares with the sibling `username` property, case-insensitively. */
export const IsNotUsername = passwordRule('isNotUsername', '$property must not be the username', (value, args) => {
  const username = (args.object as { username?: unknown }).username;
  return typeof username !== 'string' || value.toLowerCase() !== username.toLowerCase();
});
