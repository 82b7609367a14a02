export * from './mail.patterns.js';
export * from './send-mail.dto.js';
