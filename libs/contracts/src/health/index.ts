export * from './service-health.js';
