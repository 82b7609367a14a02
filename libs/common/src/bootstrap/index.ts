export * from './run.js';
export * from './microservice.js';
export * from './in-flight.js';
export * from './shutdown.js';
