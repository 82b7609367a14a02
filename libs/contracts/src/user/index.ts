export * from './user.patterns.js';
export * from './register-user.dto.js';
export * from './credentials.dto.js';
export * from './find-user.dto.js';
export * from './user-logged-in.event.js';
export * from './user.view.js';
export * from './account.dto.js';
export * from './user-lifecycle.events.js';
