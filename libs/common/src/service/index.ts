export * from './microservice-module.js';
