// Imported first by run.ts, before anything can start libuv's threadpool (it reads this once).
// The bcrypt ceiling must be able to keep every core busy; libuv's default is 4 threads.
import { availableParallelism } from 'node:os';

/** What the apps and yardsticks run with: what `npm start` would give them (libuv's default unless set). */
export const APP_THREADPOOL_SIZE = process.env.UV_THREADPOOL_SIZE ?? '4';

process.env.UV_THREADPOOL_SIZE ??= String(Math.max(4, availableParallelism()));

export const THREADPOOL_SIZE = Number(process.env.UV_THREADPOOL_SIZE);
