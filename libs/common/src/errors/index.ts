export * from './app-error.js';
export * from './reason.js';
export * from './validation.js';
export * from './rpc-error.filter.js';
export * from './pg-errors.js';
