export * from './load-config.js';
export * from './base.env.js';
export * from './shared.env.js';
