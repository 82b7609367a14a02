export * from './deadline.js';
export * from './admission.js';
export * from './refuse-late-calls.js';
