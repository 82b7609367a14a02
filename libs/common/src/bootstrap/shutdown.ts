import { Logger } from '@nestjs/common';

/** A stop must finish within this; launchers give an app 10 s before SIGKILL. */
const HARD_DEADLINE_MS = 9_500;

/**
 * On SIGTERM or SIGINT, runs `stop` once and exits 0 (1 if the deadline
 * passes first). Used instead of Nest's shutdown hooks, which re-raise the
 * signal and, for microservices, close sockets with replies still owed.
 */
export function stopGracefully(app: string, stop: () => Promise<void>): void {
  const logger = new Logger(app);
  let stopping = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    setTimeout(() => process.exit(1), HARD_DEADLINE_MS).unref();
    logger.log(`${signal}: finishing work in flight, then stopping`);
    stop().then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error(`stop failed: ${String(error)}`);
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
}
