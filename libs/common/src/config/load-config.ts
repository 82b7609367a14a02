// Implicit conversion reads the design:type metadata TypeScript emits for each variable.
import 'reflect-metadata';
import { plainToInstance } from 'class-transformer';
import { validateSync, type ValidationError } from 'class-validator';

/** A bad environment: `main` prints the message as one line and exits. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

/**
 * Reads the environment into a validated, typed config object, once, at boot.
 * Unset and empty variables take the class's defaults; undeclared ones are dropped.
 */
export function loadConfig<T extends object>(schema: new () => T, env: NodeJS.ProcessEnv = process.env): T {
  const present = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== undefined && value !== ''));
  const config = plainToInstance(schema, present, { enableImplicitConversion: true });
  const errors = validateSync(config, { whitelist: true, stopAtFirstError: true });
  if (errors.length > 0) throw new ConfigError(`Invalid configuration: ${describe(errors[0])}`);
  return config;
}

function describe(error: ValidationError): string {
  const message = Object.values(error.constraints ?? {})[0];
  return message ?? `${error.property} is invalid`;
}
