import { Logger } from '@nestjs/common';
import { ConfigError } from '../config/load-config.js';

/**
 * Runs an app's `main`. A configuration error prints one line naming the
 * variable; any other start-up failure prints its stack; both exit with 1.
 */
export function run(app: string, main: () => Promise<void>): void {
  // A launcher keeps the IPC channel open; if it dies, even mid-start, stop rather than linger as an orphan.
  if (process.send) process.once('disconnect', () => process.kill(process.pid, 'SIGTERM'));
  main().catch((error: unknown) => {
    const text = error instanceof ConfigError ? error.message : error instanceof Error ? error.stack : String(error);
    process.stderr.write(`[${app}] ${text}\n`);
    process.exit(1);
  });
}

/** Tells a supervising launcher (npm start, the tests, the benchmark) that the app is serving. */
export function announceReady(app: string, where: string): void {
  new Logger(app).log(`${app} ready on ${where}`);
  if (!process.send) return;
  process.send({ ready: app });
}
