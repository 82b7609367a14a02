export * from './error-code.js';
export * from './error-payload.js';
