export * from './error-context.js';
export * from './password.validators.js';
