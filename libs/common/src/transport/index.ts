export * from './tcp.js';
export * from './nats.js';
export * from './nats-url.js';
export * from './transport.js';
export * from './handlers.js';
export * from './service-client.js';
export * from './call-metadata.js';
export * from './rpc-metrics.js';
