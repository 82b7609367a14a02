export * from './limit-store.js';
export * from './limits.js';
